// ContentDecoder: gzip and deflate bodies decoded as they arrive (zlib), for --compressed.
// "deflate" is the zlib format by the RFC, but some servers send raw deflate: both are taken.
#pragma once

#include <zlib.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace soket::proto::http {

class ContentDecoder {
 public:
  enum class Coding { identity, gzip, deflate };
  static Coding coding_of(std::string_view content_encoding);

  explicit ContentDecoder(Coding coding);
  ~ContentDecoder();
  ContentDecoder(const ContentDecoder&) = delete;
  ContentDecoder& operator=(const ContentDecoder&) = delete;

  // Appends the decoded form of `bytes` to `out`. std::errc::illegal_byte_sequence when the
  // data is not what its Content-Encoding says.
  Result<void> decode(std::string_view bytes, std::string& out);
  // True once the compressed stream ended properly (identity: always).
  bool finished() const { return coding_ == Coding::identity || finished_; }

 private:
  Coding coding_;
  z_stream stream_{};
  bool started_ = false, finished_ = false, raw_tried_ = false;
};

}  // namespace soket::proto::http
