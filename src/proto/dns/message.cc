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
// Every type name dig (BIND 9.18) knows, by number. type_name() prints the others as TYPEnnn.
constexpr TypeName kTypes[] = {
    {1, "A"},           {2, "NS"},         {3, "MD"},        {4, "MF"},       {5, "CNAME"},
    {6, "SOA"},         {7, "MB"},         {8, "MG"},        {9, "MR"},       {10, "NULL"},
    {11, "WKS"},        {12, "PTR"},       {13, "HINFO"},    {14, "MINFO"},   {15, "MX"},
    {16, "TXT"},        {17, "RP"},        {18, "AFSDB"},    {19, "X25"},     {20, "ISDN"},
    {21, "RT"},         {22, "NSAP"},      {23, "NSAP-PTR"}, {24, "SIG"},     {25, "KEY"},
    {26, "PX"},         {27, "GPOS"},      {28, "AAAA"},     {29, "LOC"},     {30, "NXT"},
    {31, "EID"},        {32, "NIMLOC"},    {33, "SRV"},      {34, "ATMA"},    {35, "NAPTR"},
    {36, "KX"},         {37, "CERT"},      {38, "A6"},       {39, "DNAME"},   {40, "SINK"},
    {41, "OPT"},        {42, "APL"},       {43, "DS"},       {44, "SSHFP"},   {45, "IPSECKEY"},
    {46, "RRSIG"},      {47, "NSEC"},      {48, "DNSKEY"},   {49, "DHCID"},   {50, "NSEC3"},
    {51, "NSEC3PARAM"}, {52, "TLSA"},      {53, "SMIMEA"},   {55, "HIP"},     {56, "NINFO"},
    {57, "RKEY"},       {58, "TALINK"},    {59, "CDS"},      {60, "CDNSKEY"}, {61, "OPENPGPKEY"},
    {62, "CSYNC"},      {63, "ZONEMD"},    {64, "SVCB"},     {65, "HTTPS"},   {99, "SPF"},
    {100, "UINFO"},     {101, "UID"},      {102, "GID"},     {103, "UNSPEC"}, {104, "NID"},
    {105, "L32"},       {106, "L64"},      {107, "LP"},      {108, "EUI48"},  {109, "EUI64"},
    {249, "TKEY"},      {250, "TSIG"},     {251, "IXFR"},    {252, "AXFR"},   {253, "MAILB"},
    {254, "MAILA"},     {255, "ANY"},      {256, "URI"},     {257, "CAA"},    {258, "AVC"},
    {259, "DOA"},       {260, "AMTRELAY"}, {32768, "TA"},    {32769, "DLV"}};

// A number after a prefix ("TYPE65", "CLASS3"), as RFC 3597 section 5 writes unknown ones.
std::optional<std::uint16_t> numbered(std::string_view wanted, std::string_view prefix) {
  if (wanted.size() <= prefix.size() || wanted.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  unsigned value = 0;
  const char* first = wanted.data() + prefix.size();
  const char* last = wanted.data() + wanted.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

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
  return numbered(wanted, "TYPE");
}

std::string class_name(std::uint16_t rclass) {
  switch (rclass) {
    case kClassIn:
      return "IN";
    case kClassCh:
      return "CH";
    case kClassHs:
      return "HS";
    case kClassNone:
      return "NONE";
    case kClassAny:
      return "ANY";
    default:
      return "CLASS" + std::to_string(rclass);
  }
}

std::optional<std::uint16_t> class_from_name(std::string_view text) {
  const std::string wanted = upper(text);
  for (const std::uint16_t rclass : {kClassIn, kClassCh, kClassHs, kClassNone, kClassAny}) {
    if (wanted == class_name(rclass)) return rclass;
  }
  if (wanted == "CHAOS") return kClassCh;
  if (wanted == "HESIOD") return kClassHs;
  return numbered(wanted, "CLASS");
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
