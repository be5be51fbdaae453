// The DNSSEC records (RFC 4034, 5155, 7344) and the other keys, digests and fingerprints
// (RFC 4255 SSHFP, 6698 TLSA, 8162 SMIMEA, 8976 ZONEMD, 4398 CERT, 4025 IPSECKEY, 7477 CSYNC),
// as dig prints them.
#include <arpa/inet.h>
#include <fmt/core.h>

#include "proto/dns/detail/presentation.h"
#include "proto/dns/detail/rdata_printers.h"
#include "proto/dns/message.h"

namespace soket::proto::dns::detail {
namespace {

// Seconds since 1970 as YYYYMMDDHHmmSS (RFC 4034 section 3.2), by the civil-from-days
// algorithm (H. Hinnant), so that no time zone or locale of the machine is involved.
std::string timestamp(std::uint32_t seconds) {
  const long days = static_cast<long>(seconds / 86400), rest = static_cast<long>(seconds % 86400);
  const long z = days + 719468, era = z / 146097, doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  const long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
  const long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", year, month, day, rest / 3600,
                     rest / 60 % 60, rest % 60);
}

// Flags (16), protocol (8), algorithm (8), public key: DNSKEY, CDNSKEY, KEY.
Result<std::string> key(RdataCursor& c) {
  const auto flags = c.u16();
  const auto protocol = c.u8(), algorithm = c.u8();
  if (!algorithm) return bad_rdata();
  return words({fmt::format("{} {} {}", *flags, *protocol, *algorithm), base64_split(c.rest())});
}

// Key tag (16), algorithm (8), digest type (8), digest: DS, CDS, DLV, TA. Also TLSA and
// SMIMEA (usage, selector, matching type: 8 bits each) and SSHFP (algorithm, type).
Result<std::string> digest(RdataCursor& c, std::uint16_t rtype) {
  std::string head;
  if (rtype == type::tlsa || rtype == type::smimea) {
    const auto usage = c.u8(), selector = c.u8(), matching = c.u8();
    if (!matching) return bad_rdata();
    head = fmt::format("{} {} {}", *usage, *selector, *matching);
  } else if (rtype == type::sshfp) {
    const auto algorithm = c.u8(), fingerprint_type = c.u8();
    if (!fingerprint_type) return bad_rdata();
    head = fmt::format("{} {}", *algorithm, *fingerprint_type);
  } else {
    const auto tag = c.u16();
    const auto algorithm = c.u8(), digest_type = c.u8();
    if (!digest_type) return bad_rdata();
    head = fmt::format("{} {} {}", *tag, *algorithm, *digest_type);
  }
  return words({head, hex_split(c.rest())});
}

//  Type Covered (16) | Algorithm (8) | Labels (8) | Original TTL (32) | Expiration (32) |
//  Inception (32) | Key Tag (16) | Signer's Name | Signature       (RFC 4034 section 3.1)
Result<std::string> rrsig(RdataCursor& c) {
  const auto covered = c.u16();
  const auto algorithm = c.u8(), labels = c.u8();
  const auto ttl = c.u32(), expiration = c.u32(), inception = c.u32();
  const auto tag = c.u16();
  if (!tag) return bad_rdata();
  auto signer = c.name();
  if (!signer) return signer.error();
  return words({fmt::format("{} {} {} {} {} {} {} {}", type_name(*covered), *algorithm, *labels,
                            *ttl, timestamp(*expiration), timestamp(*inception), *tag, *signer),
                base64_split(c.rest())});
}

Result<std::string> nsec(RdataCursor& c) {  // Next name, type bitmap (RFC 4034 section 4.1).
  auto next = c.name();
  if (!next) return next.error();
  auto types = type_bitmap(c);
  if (!types) return types;
  return words({*next, *types});
}

// Hash algorithm (8), flags (8), iterations (16), salt length (8), salt; NSEC3 then goes on
// with hash length (8), next hashed owner, type bitmap (RFC 5155 sections 3.2 and 4.2).
Result<std::string> nsec3(RdataCursor& c, std::uint16_t rtype) {
  const auto algorithm = c.u8(), flags = c.u8();
  const auto iterations = c.u16();
  if (!iterations) return bad_rdata();
  const auto salt = c.character_string();
  if (!salt) return bad_rdata();
  std::string out = fmt::format("{} {} {} {}", *algorithm, *flags, *iterations,
                                salt->empty() ? std::string("-") : hex_upper(*salt));
  if (rtype == type::nsec3param) return out;
  const auto next = c.character_string();
  if (!next || next->empty()) return bad_rdata();
  auto types = type_bitmap(c);
  if (!types) return types;
  return words({out, base32hex(*next), *types});
}

Result<std::string> zonemd(RdataCursor& c) {  // Serial (32), scheme (8), algorithm (8), digest.
  const auto serial = c.u32();
  const auto scheme = c.u8(), algorithm = c.u8();
  if (!algorithm) return bad_rdata();
  return words({fmt::format("{} {} {}", *serial, *scheme, *algorithm), hex_split(c.rest())});
}

Result<std::string> csync(RdataCursor& c) {  // SOA serial (32), flags (16), type bitmap.
  const auto serial = c.u32();
  const auto flags = c.u16();
  if (!flags) return bad_rdata();
  auto types = type_bitmap(c);
  if (!types) return types;
  return words({fmt::format("{} {}", *serial, *flags), *types});
}

std::string algorithm_mnemonic(unsigned algorithm) {  // RFC 4398 section 2.1, via dig.
  switch (algorithm) {
    case 1:
      return "RSAMD5";
    case 2:
      return "DH";
    case 3:
      return "DSA";
    case 5:
      return "RSASHA1";
    case 6:
      return "NSEC3DSA";
    case 7:
      return "NSEC3RSASHA1";
    case 8:
      return "RSASHA256";
    case 10:
      return "RSASHA512";
    case 12:
      return "ECCGOST";
    case 13:
      return "ECDSAP256SHA256";
    case 14:
      return "ECDSAP384SHA384";
    case 15:
      return "ED25519";
    case 16:
      return "ED448";
    case 252:
      return "INDIRECT";
    case 253:
      return "PRIVATEDNS";
    case 254:
      return "PRIVATEOID";
    default:
      return std::to_string(algorithm);
  }
}

// Type (16, a mnemonic), key tag (16), algorithm (8, a mnemonic), certificate (base64).
Result<std::string> cert(RdataCursor& c) {
  const auto cert_type = c.u16(), tag = c.u16();
  const auto algorithm = c.u8();
  if (!algorithm) return bad_rdata();
  constexpr const char* kTypes[] = {nullptr, "PKIX", "SPKI",   "PGP",    "IPKIX",
                                    "ISPKI", "IPGP", "ACPKIX", "IACPKIX"};
  std::string type_text = std::to_string(*cert_type);
  if (*cert_type >= 1 && *cert_type <= 8) type_text = kTypes[*cert_type];
  if (*cert_type == 253) type_text = "URI";
  if (*cert_type == 254) type_text = "OID";
  return words({fmt::format("{} {} {}", type_text, *tag, algorithm_mnemonic(*algorithm)),
                base64_split(c.rest())});
}

// Precedence (8), gateway type (8), algorithm (8), gateway (none, IPv4, IPv6 or a name), key.
Result<std::string> ipseckey(RdataCursor& c) {
  const auto precedence = c.u8(), gateway_type = c.u8(), algorithm = c.u8();
  if (!algorithm) return bad_rdata();
  std::string gateway = ".";
  if (*gateway_type == 1 || *gateway_type == 2) {
    const int family = *gateway_type == 1 ? AF_INET : AF_INET6;
    const auto address = c.bytes(*gateway_type == 1 ? 4 : 16);
    if (!address) return bad_rdata();
    gateway = address_text(family, *address);
  } else if (*gateway_type == 3) {
    auto name = c.name();
    if (!name) return name.error();
    gateway = *name;
  } else if (*gateway_type != 0) {
    return bad_rdata();
  }
  return words({fmt::format("{} {} {} {}", *precedence, *gateway_type, *algorithm, gateway),
                base64_split(c.rest())});
}

}  // namespace

Printed dnssec_rdata(std::uint16_t rtype, RdataCursor& c) {
  switch (rtype) {
    case type::dnskey:
    case type::cdnskey:
    case type::key:
    case type::rkey:
      return key(c);
    case type::ds:
    case type::cds:
    case type::dlv:
    case type::ta:
    case type::tlsa:
    case type::smimea:
    case type::sshfp:
      return digest(c, rtype);
    case type::rrsig:
    case type::sig:
      return rrsig(c);
    case type::nsec:
      return nsec(c);
    case type::nsec3:
    case type::nsec3param:
      return nsec3(c, rtype);
    case type::zonemd:
      return zonemd(c);
    case type::csync:
      return csync(c);
    case type::cert:
      return cert(c);
    case type::ipseckey:
      return ipseckey(c);
    default:
      return std::nullopt;
  }
}

}  // namespace soket::proto::dns::detail
