#include "clients/byte_stream.h"
#include "core/error_category.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>

#include "net/deadline_io.h"

namespace soket::clients {
namespace {

const char* describe(tls_errc code) {
  switch (code) {
    case tls_errc::expired:
      return "the server's certificate has expired or is not valid yet";
    case tls_errc::wrong_host:
      return "the server's certificate is for another host name";
    case tls_errc::unknown_ca:
      return "the server's certificate is signed by an unknown CA";
    case tls_errc::untrusted:
      return "the server's certificate could not be verified";
    case tls_errc::handshake:
      return "the TLS handshake failed";
    case tls_errc::setup:
      return "TLS could not be set up (check --cacert)";
  }
  return "TLS error";
}

class PlainStream final : public ByteStream {
 public:
  explicit PlainStream(net::Fd fd) : fd_(std::move(fd)) {}
  Result<void> write_all(std::span<const std::byte> bytes, TimePoint deadline) override {
    return net::write_all(fd_.get(), bytes, deadline);
  }
  Result<std::size_t> read_some(std::span<std::byte> into, TimePoint deadline) override {
    return net::read_some(fd_.get(), into, deadline);
  }

 private:
  net::Fd fd_;
};

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

std::error_code verify_failure(long result) {
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return make_error_code(tls_errc::expired);
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return make_error_code(tls_errc::wrong_host);
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return make_error_code(tls_errc::unknown_ca);
    default:
      return make_error_code(tls_errc::untrusted);
  }
}

// OpenSSL on a non-blocking socket: it says which way it must wait, and we wait that way.
Result<void> wait_for(SSL* ssl, int status, int fd, TimePoint deadline) {
  const int error = SSL_get_error(ssl, status);
  if (error == SSL_ERROR_WANT_READ) return net::wait_ready(fd, POLLIN, deadline);
  if (error == SSL_ERROR_WANT_WRITE) return net::wait_ready(fd, POLLOUT, deadline);
  return make_error_code(tls_errc::handshake);
}

class TlsStream final : public ByteStream {
 public:
  TlsStream(net::Fd fd, std::unique_ptr<SSL_CTX, SslDeleter> ctx,
            std::unique_ptr<SSL, SslDeleter> ssl)
      : fd_(std::move(fd)), ctx_(std::move(ctx)), ssl_(std::move(ssl)) {}

  Result<void> write_all(std::span<const std::byte> bytes, TimePoint deadline) override {
    while (!bytes.empty()) {
      const int n = SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size()));
      if (n > 0) {
        bytes = bytes.subspan(static_cast<std::size_t>(n));
        continue;
      }
      if (auto waited = wait_for(ssl_.get(), n, fd_.get(), deadline); !waited) return waited;
    }
    return {};
  }

  Result<std::size_t> read_some(std::span<std::byte> into, TimePoint deadline) override {
    for (;;) {
      const int n = SSL_read(ssl_.get(), into.data(), static_cast<int>(into.size()));
      if (n > 0) return static_cast<std::size_t>(n);
      const int error = SSL_get_error(ssl_.get(), n);
      if (error == SSL_ERROR_ZERO_RETURN) return std::size_t{0};
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (auto waited = wait_for(ssl_.get(), n, fd_.get(), deadline); !waited)
          return waited.error();
        continue;
      }
      return make_error_code(tls_errc::handshake);
    }
  }

 private:
  net::Fd fd_;
  std::unique_ptr<SSL_CTX, SslDeleter> ctx_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
};

bool is_ip_literal(const std::string& host) {
  unsigned char bytes[16];
  return ::inet_pton(AF_INET, host.c_str(), bytes) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), bytes) == 1;
}

}  // namespace

const std::error_category& tls_error_category() {
  static const EnumErrorCategory<tls_errc> category("tls", describe);
  return category;
}

std::error_code make_error_code(tls_errc e) {
  return {static_cast<int>(e), tls_error_category()};
}

std::unique_ptr<ByteStream> plain_stream(net::Fd fd) {
  return std::make_unique<PlainStream>(std::move(fd));
}

Result<std::unique_ptr<ByteStream>> tls_stream(net::Fd fd, const std::string& host,
                                               const TlsOptions& options, TimePoint deadline) {
  std::unique_ptr<SSL_CTX, SslDeleter> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return make_error_code(tls_errc::setup);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Many servers close without close_notify; the HTTP framing says whether a body is whole.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (options.verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) return make_error_code(tls_errc::setup);
    if (options.ca_file &&
        SSL_CTX_load_verify_locations(ctx.get(), options.ca_file->c_str(), nullptr) != 1) {
      return make_error_code(tls_errc::setup);
    }
  }
  std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) return make_error_code(tls_errc::setup);
  if (!is_ip_literal(host)) SSL_set_tlsext_host_name(ssl.get(), host.c_str());  // SNI
  if (options.verify) {
    if (is_ip_literal(host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), host.c_str());
    } else {
      SSL_set1_host(ssl.get(), host.c_str());
    }
  }
  for (;;) {
    const int status = SSL_connect(ssl.get());
    if (status == 1) break;
    const int error = SSL_get_error(ssl.get(), status);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      const long verified = SSL_get_verify_result(ssl.get());
      ERR_clear_error();
      if (options.verify && verified != X509_V_OK) return verify_failure(verified);
      return make_error_code(tls_errc::handshake);
    }
    if (auto waited = wait_for(ssl.get(), status, fd.get(), deadline); !waited)
      return waited.error();
  }
  return std::unique_ptr<ByteStream>(
      std::make_unique<TlsStream>(std::move(fd), std::move(ctx), std::move(ssl)));
}

}  // namespace soket::clients
