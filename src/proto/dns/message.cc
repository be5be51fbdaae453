#include "proto/dns/message.h"
#include "core/error_category.h"

#include <charconv>
#include <string>

namespace soket::proto::dns {
namespace {

const char* describe(errc code) {
  switch (code) {
    case errc::truncated_header:
      return "the reply is shorter than a DNS header";
    case errc::truncated:
      return "a name, question or record runs past the end of the reply";
    case errc::bad_label:
      return "a name has a label of an unknown kind";
    case errc::bad_pointer:
      return "a compression pointer does not point backwards";
    case errc::pointer_loop:
      return "compression pointers loop";
    case errc::name_too_long:
      return "a name is longer than 255 bytes";
    case errc::label_too_long:
      return "a label is longer than 63 bytes";
    case errc::empty_label:
      return "a name has an empty label";
    case errc::rdlength_overrun:
      return "a record's data runs past the end of the reply";
    case errc::bad_rdata:
      return "a record's data does not fit its type";
    case errc::counts_mismatch:
      return "the header counts more records than the reply holds";
    case errc::trailing_bytes:
      return "bytes follow the last record";
    case errc::wrong_reply:
      return "the reply answers another query";
    case errc::bad_opt:
      return "an OPT record outside the additional section, or more than one";
  }
  return "malformed DNS message";
}

struct TypeName {
  std::uint16_t value;
  const char* name;
};
constexpr TypeName kTypes[] = {{type::a, "A"},     {type::ns, "NS"},     {type::cname, "CNAME"},
                               {type::soa, "SOA"}, {type::ptr, "PTR"},   {type::mx, "MX"},
                               {type::txt, "TXT"}, {type::aaaa, "AAAA"}, {type::srv, "SRV"},
                               {type::opt, "OPT"}, {type::any, "ANY"},   {type::caa, "CAA"}};

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

const std::error_category& error_category() {
  static const EnumErrorCategory<errc> category("dns", describe);
  return category;
}

std::error_code make_error_code(errc e) {
  return {static_cast<int>(e), error_category()};
}

std::string type_name(std::uint16_t value) {
  for (const auto& t : kTypes) {
    if (t.value == value) return t.name;
  }
  return "TYPE" + std::to_string(value);
}

std::optional<std::uint16_t> type_from_name(std::string_view text) {
  const std::string wanted = upper(text);
  for (const auto& t : kTypes) {
    if (wanted == t.name) return t.value;
  }
  if (wanted.rfind("TYPE", 0) == 0 && wanted.size() > 4) {  // RFC 3597: TYPE65 and so on.
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(wanted.data() + 4, wanted.data() + wanted.size(), value);
    if (ec == std::errc() && end == wanted.data() + wanted.size() && value <= 65535) {
      return static_cast<std::uint16_t>(value);
    }
  }
  return std::nullopt;
}

std::string class_name(std::uint16_t rclass) {
  switch (rclass) {
    case 1:
      return "IN";
    case 3:
      return "CH";
    case 4:
      return "HS";
    case 255:
      return "ANY";
    default:
      return "CLASS" + std::to_string(rclass);
  }
}

std::string rcode_name(std::uint16_t rcode) {
  constexpr const char* kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                    "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode < std::size(kNames)) return kNames[rcode];
  if (rcode == 16) return "BADVERS";
  return "RCODE" + std::to_string(rcode);
}

std::string opcode_name(std::uint8_t opcode) {
  switch (opcode) {
    case 0:
      return "QUERY";
    case 1:
      return "IQUERY";
    case 2:
      return "STATUS";
    case 4:
      return "NOTIFY";
    case 5:
      return "UPDATE";
    default:
      return "OPCODE" + std::to_string(opcode);
  }
}

}  // namespace soket::proto::dns
