#include "proto/text/digest_base64.h"

#include <openssl/evp.h>

namespace soket::proto::text {

std::string digest_base64(Digest digest, std::string_view text) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const EVP_MD* md = digest == Digest::sha1 ? EVP_sha1() : EVP_sha256();
  if (EVP_Digest(text.data(), text.size(), hash, &size, md, nullptr) != 1) return {};
  // base64 makes 4 characters of every 3 bytes, and EVP_EncodeBlock adds a NUL.
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int length = EVP_EncodeBlock(encoded, hash, static_cast<int>(size));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(length));
}

}  // namespace soket::proto::text
