#include "proto/http/content_decoder.h"

#include "proto/text/ascii.h"

#include <cctype>

namespace soket::proto::http {

ContentDecoder::Coding ContentDecoder::coding_of(std::string_view value) {
  const std::string lower = text::to_lower(value);
  if (lower == "gzip" || lower == "x-gzip") return Coding::gzip;
  if (lower == "deflate") return Coding::deflate;
  return Coding::identity;
}

ContentDecoder::ContentDecoder(Coding coding) : coding_(coding) {}

ContentDecoder::~ContentDecoder() {
  if (started_) inflateEnd(&stream_);
}

Result<void> ContentDecoder::decode(std::string_view bytes, std::string& out) {
  if (coding_ == Coding::identity) {
    out.append(bytes);
    return {};
  }
  if (!started_) {
    // 16 + MAX_WBITS: gzip wrapper; MAX_WBITS: zlib wrapper (deflate).
    const int bits = coding_ == Coding::gzip ? 16 + MAX_WBITS : MAX_WBITS;
    if (inflateInit2(&stream_, bits) != Z_OK)
      return std::make_error_code(std::errc::not_enough_memory);
    started_ = true;
  }
  // zlib's C interface takes a non-const pointer but never writes through next_in.
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream_.avail_in = static_cast<uInt>(bytes.size());
  char chunk[64 * 1024];
  while (stream_.avail_in > 0 && !finished_) {
    stream_.next_out = reinterpret_cast<Bytef*>(chunk);
    stream_.avail_out = sizeof chunk;
    const int status = inflate(&stream_, Z_NO_FLUSH);
    if (status == Z_DATA_ERROR && coding_ == Coding::deflate && !raw_tried_ &&
        stream_.total_out == 0) {
      // Not zlib-wrapped: start again as raw deflate (-MAX_WBITS).
      raw_tried_ = true;
      inflateEnd(&stream_);
      if (inflateInit2(&stream_, -MAX_WBITS) != Z_OK)
        return std::make_error_code(std::errc::not_enough_memory);
      stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
      stream_.avail_in = static_cast<uInt>(bytes.size());
      continue;
    }
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
      return std::make_error_code(std::errc::illegal_byte_sequence);
    }
    out.append(chunk, sizeof chunk - stream_.avail_out);
    if (status == Z_STREAM_END) finished_ = true;
    if (status == Z_BUF_ERROR && stream_.avail_out != 0) break;
  }
  return {};
}

}  // namespace soket::proto::http
