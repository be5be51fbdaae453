// ByteStream: a connected byte stream with deadlines, plain TCP or TLS, so that the HTTP
// client never knows which one it has (the transport is one more layer, as in Redis's
// ConnectionType).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>

#include "core/clock.h"
#include "core/result.h"
#include "net/fd.h"

namespace soket::clients {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  virtual Result<void> write_all(std::span<const std::byte> bytes, TimePoint deadline) = 0;
  // At least one byte, or 0 at the end of the stream.
  virtual Result<std::size_t> read_some(std::span<std::byte> into, TimePoint deadline) = 0;
};

std::unique_ptr<ByteStream> plain_stream(net::Fd fd);

// TLS failures, each with its reason, for the one-line error a user sees.
enum class tls_errc {
  expired = 1,  // The certificate has expired (or is not valid yet).
  wrong_host,   // The certificate is not for this host name.
  unknown_ca,   // Issued by a CA we do not trust (self-signed included).
  untrusted,    // Any other verification failure.
  handshake,    // The handshake failed (protocol version, alert, ...).
  setup,        // OpenSSL could not be set up (a bad --cacert file, say).
};
const std::error_category& tls_error_category();
std::error_code make_error_code(tls_errc e);

struct TlsOptions {
  bool verify = true;                  // -k turns it off.
  std::optional<std::string> ca_file;  // --cacert: trusted in addition to the system store.
};

// TLS 1.2 or later over `fd`, with SNI and, unless told not to, the chain and host name
// verified against the system store.
Result<std::unique_ptr<ByteStream>> tls_stream(net::Fd fd, const std::string& host,
                                               const TlsOptions& options, TimePoint deadline);

}  // namespace soket::clients

template <>
struct std::is_error_code_enum<soket::clients::tls_errc> : std::true_type {};
