// SVCB and HTTPS (RFC 9460), LOC (RFC 1876) and APL (RFC 3123), as dig prints them.
#include <arpa/inet.h>
#include <fmt/core.h>

#include "proto/dns/detail/presentation.h"
#include "proto/dns/detail/rdata_printers.h"
#include "proto/dns/message.h"

namespace soket::proto::dns::detail {
namespace {

constexpr const char* kSvcKeys[] = {"mandatory", "alpn", "no-default-alpn", "port",
                                    "ipv4hint",  "ech",  "ipv6hint",        "dohpath"};

std::string svc_key_name(std::uint16_t key) {
  return key < std::size(kSvcKeys) ? kSvcKeys[key] : "key" + std::to_string(key);
}

std::string inner(const std::string& quoted_text) {  // Without its quotes.
  return quoted_text.substr(1, quoted_text.size() - 2);
}

// One SvcParamValue (RFC 9460 section 7) in its key's own words; bad_rdata when it does not
// fit its key (a port of 3 bytes, an empty alpn list...).
Result<std::string> svc_value(std::uint16_t key, std::span<const std::byte> value) {
  ByteReader r(value);
  std::string out;
  switch (key) {
    case 0:  // mandatory: keys, 16 bits each.
      if (value.empty() || value.size() % 2 != 0) return bad_rdata();
      while (!r.empty()) out += (out.empty() ? "" : ",") + svc_key_name(*r.u16_be());
      return "=" + out;
    case 1:  // alpn: <character-string>s, in one quoted comma-separated list.
      if (value.empty()) return bad_rdata();
      while (!r.empty()) {
        const auto length = r.u8();
        const auto id = length ? r.bytes(*length) : std::nullopt;
        if (!id || id->empty()) return bad_rdata();
        out += (out.empty() ? "" : ",") + inner(quoted(*id, true));
      }
      return "=\"" + out + "\"";
    case 2:  // no-default-alpn: no value.
      if (!value.empty()) return bad_rdata();
      return std::string();
    case 3:  // port.
      if (value.size() != 2) return bad_rdata();
      return "=" + std::to_string(*r.u16_be());
    case 4:  // ipv4hint, ipv6hint: addresses.
    case 6: {
      const std::size_t size = key == 4 ? 4 : 16;
      if (value.empty() || value.size() % size != 0) return bad_rdata();
      while (!r.empty()) {
        out +=
            (out.empty() ? "" : ",") + address_text(key == 4 ? AF_INET : AF_INET6, *r.bytes(size));
      }
      return "=" + out;
    }
    case 5:  // ech: an ECHConfigList, in base64.
      return "=" + base64_split(value);
    default:  // dohpath and the keys without a name of their own: the bytes, quoted.
      return "=" + quoted(value);
  }
}

// SvcPriority (16), TargetName, then SvcParams: key (16), length (16), value; the keys in
// strictly increasing order (RFC 9460 section 2.2).
Result<std::string> svcb(RdataCursor& c) {
  const auto priority = c.u16();
  if (!priority) return bad_rdata();
  auto target = c.name();
  if (!target) return target.error();
  std::string out = fmt::format("{} {}", *priority, *target);
  int last_key = -1;
  while (!c.at_end()) {
    const auto key = c.u16(), length = c.u16();
    if (!length || static_cast<int>(*key) <= last_key) return bad_rdata();
    last_key = *key;
    const auto value = c.bytes(*length);
    if (!value) return bad_rdata();
    auto text = svc_value(*key, *value);
    if (!text) return text;
    out += " " + svc_key_name(*key) + *text;
  }
  return out;
}

// A LOC size or precision: mantissa and power of ten (4 bits each), in centimetres.
std::optional<std::string> loc_size(std::uint8_t byte) {
  const unsigned mantissa = byte >> 4, exponent = byte & 0xF;
  if (mantissa > 9 || exponent > 9) return std::nullopt;
  unsigned long value = mantissa;
  if (exponent >= 2) {
    for (unsigned i = 2; i < exponent; ++i) value *= 10;
    return fmt::format("{}m", value);
  }
  for (unsigned i = 0; i < exponent; ++i) value *= 10;
  return fmt::format("0.{:02}m", value);
}

// Degrees, minutes and seconds of a LOC angle (thousandths of a second, 2^31 at the equator
// or the prime meridian), or nullopt past `limit` degrees.
std::optional<std::string> loc_angle(std::uint32_t raw, unsigned limit, const char* positive,
                                     const char* negative) {
  const bool ahead = raw > 0x80000000u;
  std::uint32_t value = ahead ? raw - 0x80000000u : 0x80000000u - raw;
  const unsigned thousandths = value % 1000, seconds = value / 1000 % 60,
                 minutes = value / 60000 % 60, degrees = value / 3600000;
  if (degrees > limit) return std::nullopt;
  return fmt::format("{} {} {}.{:03} {}", degrees, minutes, seconds, thousandths,
                     ahead ? positive : negative);
}

// RFC 1876 section 2: version (0), size, horizontal and vertical precision, latitude,
// longitude, altitude (centimetres above 100 km below the WGS 84 spheroid).
Result<std::string> loc(RdataCursor& c) {
  const auto version = c.u8(), size = c.u8(), horizontal = c.u8(), vertical = c.u8();
  const auto latitude = c.u32(), longitude = c.u32(), altitude = c.u32();
  if (!altitude) return bad_rdata();
  const auto lat = loc_angle(*latitude, 90, "N", "S");
  const auto lon = loc_angle(*longitude, 180, "E", "W");
  const auto s = loc_size(*size), h = loc_size(*horizontal), v = loc_size(*vertical);
  if (*version != 0 || !lat || !lon || !s || !h || !v) return bad_rdata();
  const bool below = *altitude < 10000000u;
  const std::uint32_t metres_cm = below ? 10000000u - *altitude : *altitude - 10000000u;
  return fmt::format("{} {} {}{}.{:02}m {} {} {}", *lat, *lon, below ? "-" : "", metres_cm / 100,
                     metres_cm % 100, *s, *h, *v);
}

// RFC 3123 section 4: items of family (16), prefix (8), N (1) and AFD length (7), AFD part.
Result<std::string> apl(RdataCursor& c) {
  std::string out;
  while (!c.at_end()) {
    const auto family = c.u16();
    const auto prefix = c.u8(), length = c.u8();
    if (!length) return bad_rdata();
    const std::size_t size = *family == 1 ? 4 : *family == 2 ? 16 : 0;
    const std::size_t afd = *length & 0x7Fu;
    if (size == 0 || afd > size || *prefix > size * 8) return bad_rdata();
    const auto part = c.bytes(afd);
    if (!part) return bad_rdata();
    std::byte address[16] = {};
    std::copy(part->begin(), part->end(), address);
    out += fmt::format("{}{}{}:{}/{}", out.empty() ? "" : " ", (*length & 0x80) ? "!" : "", *family,
                       address_text(*family == 1 ? AF_INET : AF_INET6, address), *prefix);
  }
  return out;
}

}  // namespace

Printed service_rdata(std::uint16_t rtype, RdataCursor& c) {
  switch (rtype) {
    case type::svcb:
    case type::https:
      return svcb(c);
    case type::loc:
      return loc(c);
    case type::apl:
      return apl(c);
    default:
      return std::nullopt;
  }
}

}  // namespace soket::proto::dns::detail
