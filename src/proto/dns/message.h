// A DNS message (RFC 1035 section 4.1), parsed into what a client shows: the header, the
// question, and each section's records with their data in zone-file (presentation) form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace soket::proto::dns {

// Record types by their RFC numbers (RFC 1035, 3596, 2782, 6891, 8659, 4034, 5155, 9460...).
// The full table of names (every type dig knows) is in message.cc.
namespace type {
inline constexpr std::uint16_t a = 1, ns = 2, md = 3, mf = 4, cname = 5, soa = 6, mb = 7, mg = 8,
                               mr = 9, null_ = 10, wks = 11, ptr = 12, hinfo = 13, minfo = 14,
                               mx = 15, txt = 16, rp = 17, afsdb = 18, x25 = 19, isdn = 20, rt = 21,
                               nsap = 22, nsap_ptr = 23, sig = 24, key = 25, px = 26, gpos = 27,
                               aaaa = 28, loc = 29, nxt = 30, srv = 33, naptr = 35, kx = 36,
                               cert = 37, a6 = 38, dname = 39, sink = 40, opt = 41, apl = 42,
                               ds = 43, sshfp = 44, ipseckey = 45, rrsig = 46, nsec = 47,
                               dnskey = 48, dhcid = 49, nsec3 = 50, nsec3param = 51, tlsa = 52,
                               smimea = 53, hip = 55, ninfo = 56, rkey = 57, talink = 58, cds = 59,
                               cdnskey = 60, openpgpkey = 61, csync = 62, zonemd = 63, svcb = 64,
                               https = 65, spf = 99, uinfo = 100, uid = 101, gid = 102, nid = 104,
                               l32 = 105, l64 = 106, lp = 107, eui48 = 108, eui64 = 109, tkey = 249,
                               tsig = 250, ixfr = 251, axfr = 252, mailb = 253, maila = 254,
                               any = 255, uri = 256, caa = 257, avc = 258, doa = 259,
                               amtrelay = 260, resinfo = 261, ta = 32768, dlv = 32769;
}
inline constexpr std::uint16_t kClassIn = 1, kClassCh = 3, kClassHs = 4, kClassNone = 254,
                               kClassAny = 255;

struct Header {
  std::uint16_t id = 0;
  bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  std::uint8_t opcode = 0;
  std::uint16_t rcode = 0;  // With EDNS, the extended rcode's upper bits included.
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
};

struct Question {
  std::string name;  // Presentation form, absolute: "example.com."
  std::uint16_t qtype = 0, qclass = 0;
};

struct Record {
  std::string name;
  std::uint16_t type = 0, rclass = 0;
  std::uint32_t ttl = 0;
  std::string data;  // Presentation form: "192.0.2.1", "10 mail.example.com.", "\# 3 ABCDEF".
  std::vector<std::byte> rdata;  // The rdata as received (names still compressed).
};

struct Edns {  // The OPT pseudo-record (RFC 6891 section 6.1).
  std::uint16_t udp_size = 0;
  std::uint8_t version = 0;
  bool dnssec_ok = false;
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Record> answers, authority, additional;  // additional holds no OPT.
  std::optional<Edns> edns;
};

// Every defect of a reply has its own code, so that a user is told exactly what was wrong.
enum class errc {
  truncated_header = 1,  // Fewer than 12 bytes.
  truncated,             // A name, question or record runs past the end.
  bad_label,             // A label type other than 0 (length) or 3 (pointer).
  bad_pointer,           // A compression pointer that does not point backwards.
  pointer_loop,          // Too many pointer hops.
  name_too_long,         // Over 255 bytes on the wire.
  label_too_long,        // Over 63 bytes (a name we are asked to encode).
  empty_label,           // "a..b" (a name we are asked to encode).
  rdlength_overrun,      // rdlength past the end of the message.
  bad_rdata,             // rdata that does not fit its type (an A of 5 bytes, say).
  counts_mismatch,       // Header counts promise more records than the message holds.
  trailing_bytes,        // Bytes after the last record.
  wrong_reply,           // A TCP reply for another ID or question.
  bad_opt,               // An OPT record outside the additional section, or two of them.
};
const std::error_category& error_category();
std::error_code make_error_code(errc e);

std::string type_name(std::uint16_t type);  // "A", or "TYPE65" (RFC 3597).
std::optional<std::uint16_t> type_from_name(std::string_view text);
std::string class_name(std::uint16_t rclass);  // "IN", "CH", or "CLASS7" (RFC 3597).
std::optional<std::uint16_t> class_from_name(std::string_view text);  // "in", "CLASS7"...
std::string rcode_name(std::uint16_t rcode);   // "NOERROR", "NXDOMAIN", ... or "RCODE11".
std::string opcode_name(std::uint8_t opcode);  // "QUERY", ... or "OPCODE3".

}  // namespace soket::proto::dns

template <>
struct std::is_error_code_enum<soket::proto::dns::errc> : std::true_type {};
