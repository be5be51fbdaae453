// A DNS message (RFC 1035 section 4.1), parsed into what a client shows: the header, the
// question, and each section's records with their data in zone-file (presentation) form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace soket::proto::dns {

// Record types by their RFC numbers (RFC 1035, 3596, 2782, 6891, 8659).
namespace type {
inline constexpr std::uint16_t a = 1, ns = 2, cname = 5, soa = 6, ptr = 12, mx = 15, txt = 16,
                               aaaa = 28, srv = 33, opt = 41, any = 255, caa = 257;
}
inline constexpr std::uint16_t kClassIn = 1;

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
  std::string data;  // Presentation form: "192.0.2.1", "10 mail.example.com.", "\# 3 abcdef".
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
std::string class_name(std::uint16_t rclass);  // "IN", or "CLASS3".
std::string rcode_name(std::uint16_t rcode);   // "NOERROR", "NXDOMAIN", ... or "RCODE11".
std::string opcode_name(std::uint8_t opcode);  // "QUERY", ... or "OPCODE3".

}  // namespace soket::proto::dns

template <>
struct std::is_error_code_enum<soket::proto::dns::errc> : std::true_type {};
