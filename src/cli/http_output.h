// Where `soket http` writes: stdout, or a file through net::OutputFile; and the progress bar
// for a file download on a terminal.
#pragma once

#include <optional>
#include <string>

#include "clients/http_client.h"
#include "net/output_file.h"

namespace soket::cli {

class StdoutSink final : public clients::BodySink {
 public:
  Result<void> write(std::string_view bytes) override;
  bool wrote() const { return wrote_; }

 private:
  bool wrote_ = false;
};

class FileSink final : public clients::BodySink {
 public:
  explicit FileSink(net::OutputFile file) : file_(std::move(file)) {}
  Result<void> write(std::string_view bytes) override { return file_.write(bytes); }
  bool rewind() override { return file_.rewind(); }
  Result<std::string> commit() { return file_.commit(); }

 private:
  net::OutputFile file_;
};

// "  12.0 MiB of 20.0 MiB  60%  45.3 MiB/s  ETA 0:01" on stderr, at most ten times a second.
std::function<void(const clients::HttpProgress&)> progress_bar();

// Server text for a terminal: control characters (C0 but tab, and DEL) dropped.
std::string terminal_safe(std::string_view text);

}  // namespace soket::cli
