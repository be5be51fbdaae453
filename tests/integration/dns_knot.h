// Knot DNS on loopback for the dns integration tests: authoritative for soket.test. (plain),
// 2.0.192.in-addr.arpa., types.test. (every type dig prints, signed with NSEC) and
// nsec3.test. (signed with NSEC3), on 127.0.0.1 and ::1. dig against it is the oracle.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "net/socket_ops.h"
#include "support/child_process.h"

namespace soket::test {

namespace fs = std::filesystem;

inline std::string zone_text() {
  std::string zone = R"($ORIGIN soket.test.
$TTL 300
@        IN SOA   ns1 hostmaster 2026112101 3600 600 86400 300
@        IN NS    ns1
ns1      IN A     127.0.0.1
@        IN A     192.0.2.1
@        IN AAAA  2001:db8::1
@        IN MX    10 mail
mail     IN A     192.0.2.25
@        IN TXT   "hello world" "second \"string\""
@        IN CAA   0 issue "letsencrypt.org"
_sip._tcp IN SRV  10 60 5060 sip
sip      IN A     192.0.2.50
www      IN CNAME alias1
alias1   IN CNAME alias2
alias2   IN A     192.0.2.80
opaque   IN TYPE4321 \# 4 0A000001
xn--bcher-kva IN A 192.0.2.99
)";
  for (int i = 0; i < 30; ++i) {  // Far over 1232 bytes: the UDP answer is truncated.
    zone += "big IN TXT \"record " + std::to_string(i) + " " + std::string(80, 'x') + "\"\n";
  }
  return zone;
}

// Every type dig knows how to print that Knot takes in a zone file; Knot signs the zone
// (DNSKEY, RRSIG, NSEC, CDS and CDNSKEY come from it).
inline constexpr const char* kTypesZone = R"($ORIGIN types.test.
$TTL 300
@        IN SOA   ns1.soket.test. hostmaster 2026112901 3600 600 86400 300
@        IN NS    ns1.soket.test.
@        IN A     192.0.2.1
child    IN NS    ns1.soket.test.
child    IN DS    12345 13 2 8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D771D7805A
child    IN DS    12346 8 4 8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D771D7805A8ACBB0CD28F41250A80A491389424D34
_443._tcp IN TLSA 3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
@        IN SSHFP 4 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
@        IN SSHFP 1 1 0123456789ABCDEF0123456789ABCDEF01234567
@        IN NAPTR 100 10 "S" "SIP+D2U" "!^.*$!sip:info@example.com!" _sip._udp
@        IN URI   10 1 "https://www.example.com/path"
@        IN HTTPS 1 . alpn="h2,h3" ipv4hint=192.0.2.1 ipv6hint=2001:db8::1 port=8443 ech=AEX+DQBBpQAgACDt mandatory=alpn
svc      IN SVCB  0 target.example.
svc2     IN SVCB  16 foo.example.org. alpn=h2,h3-19 no-default-alpn key667="hello\210qoo"
@        IN HINFO "PC" "Linux"
@        IN RP    admin.types.test. txt.types.test.
@        IN AFSDB 1 afs.types.test.
dn       IN DNAME example.net.
@        IN LOC   52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m
@        IN OPENPGPKEY AQID
@        IN CAA   128 tbs "Unknown"
@        IN EUI48 00-00-5e-00-53-2a
@        IN EUI64 00-00-5e-ef-10-00-00-2a
@        IN SPF   "v=spf1 -all"
@        IN KX    10 kx.types.test.
@        IN CERT  1 2 3 AQID
@        IN DHCID AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=
@        IN SMIMEA 3 1 1 0123456789ABCDEF
@        IN MINFO admin.types.test. err.types.test.
@        IN CDS   12345 13 2 8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D771D7805A
@        IN CSYNC 66 3 A NS AAAA
@        IN L32 10 10.1.2.0
@        IN L64 10 2001:0DB8:1140:1000
@        IN NID 10 0014:4fff:ff20:ee64
@        IN LP  10 l64-subnet1.example.com.
@        IN APL 1:192.168.32.0/21 !1:192.168.38.0/28 2:fe80::/16
@        IN IPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==
@        IN TXT "a\"b" "c\\d" "\007x"
@        IN RT 10 relay.types.test.
@        IN TYPE65400 \# 2 abcd
long     IN TYPE65401 \# 40 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F2021222324252627
)";

// A signed zone with NSEC3 (RFC 5155): NSEC3 and NSEC3PARAM.
inline constexpr const char* kNsec3Zone = R"($ORIGIN nsec3.test.
$TTL 300
@  IN SOA ns1.soket.test. hostmaster.soket.test. 1 3600 600 86400 300
@  IN NS  ns1.soket.test.
@  IN A   192.0.2.3
)";

inline constexpr const char* kReverseZone = R"($ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@  IN SOA ns1.soket.test. hostmaster.soket.test. 1 3600 600 86400 300
@  IN NS  ns1.soket.test.
1  IN PTR soket.test.
)";

inline int free_port() {
  // A port free for both UDP and TCP at this moment. It is released before knotd binds it, so
  // another program may take it in between: Knot checks after the start that knotd holds it.
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto udp = net::open_bound_datagram(net::Address::parse("127.0.0.1", 0).value(), {});
    const auto port = net::local_address(udp->get())->port();
    if (net::open_listener(net::Address::parse("127.0.0.1", port).value(), {}, 1)) return port;
  }
  return 0;
}

// Knot DNS, authoritative for soket.test. and 2.0.192.in-addr.arpa., on 127.0.0.1 and ::1.
// The port comes from free_port() and is checked after the start: knotd must have bound it
// (else it says "cannot bind address" and exits, and another port is tried), and its SOA
// must come back over UDP and over TCP, from this zone (serial 2026112101), not from a
// stranger that took the port first.
class Knot {
 public:
  Knot() {
    dir_ = fs::temp_directory_path() / ("soket-knot-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "soket.test.zone") << zone_text();
    std::ofstream(dir_ / "reverse.zone") << kReverseZone;
    std::ofstream(dir_ / "types.zone") << kTypesZone;
    std::ofstream(dir_ / "nsec3.zone") << kNsec3Zone;
    for (int attempt = 0; attempt < 5 && !ready_; ++attempt) {
      port_ = free_port();
      start();
      ready_ = process_->wait_for_stderr_line("[soket.test.] loaded", 20s).has_value() &&
               process_->wait_for_stderr_line("[2.0.192.in-addr.arpa.] loaded", 20s).has_value() &&
               process_->wait_for_stderr_line("[types.test.] loaded", 20s).has_value() &&
               process_->wait_for_stderr_line("[nsec3.test.] loaded", 20s).has_value() &&
               answers_soa("+notcp") && answers_soa("+tcp");
      if (!ready_ && process_->err().find("cannot bind") == std::string::npos) break;
    }
  }
  ~Knot() {
    process_.reset();  // Kills knotd, by its PID.
    fs::remove_all(dir_);
  }
  bool ready() const { return ready_; }
  int port() const { return port_; }
  std::string err() const { return process_->err(); }

 private:
  void start() {
    std::ofstream(dir_ / "knot.conf")
        << "server:\n  rundir: \"" << dir_.string() << "\"\n  listen: [ 127.0.0.1@" << port_
        << ", ::1@" << port_ << " ]\n"
        << "log:\n  - target: stderr\n    any: info\n"
        << "database:\n  storage: \"" << dir_.string() << "\"\n"
        << "template:\n  - id: default\n    storage: \"" << dir_.string() << "\"\n"
        << "policy:\n  - id: nsec3\n    nsec3: on\n"
        << "zone:\n  - domain: soket.test\n    file: soket.test.zone\n"
        << "  - domain: 2.0.192.in-addr.arpa\n    file: reverse.zone\n"
        << "  - domain: types.test\n    file: types.zone\n    dnssec-signing: on\n"
        << "  - domain: nsec3.test\n    file: nsec3.zone\n    dnssec-signing: on\n"
        << "    dnssec-policy: nsec3\n";
    process_.reset();  // A knotd of an earlier attempt, by its PID.
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"knotd", "-c", (dir_ / "knot.conf").string()});
  }
  // dig, the oracle, asks for the zone's SOA over one transport.
  bool answers_soa(const char* transport) const {
    auto dig = run({"dig", "@127.0.0.1", "-p", std::to_string(port_), "soket.test", "SOA", "+short",
                    "+time=5", "+tries=2", transport});
    return dig.exit_code == 0 && dig.out.find(" 2026112101 ") != std::string::npos;
  }

  fs::path dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  bool ready_ = false;
};

// The non-empty lines of dig's or soket's output, as a set: the order of records in a section
// is not part of the answer.
inline std::multiset<std::string> lines_of(const std::string& text) {
  std::multiset<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.insert(line);
  }
  return lines;
}

}  // namespace soket::test
