// OutputFile: where a download goes, written as curl writes `-o FILE`, but never leaving a
// half-written FILE behind.
//
//  - A regular FILE (or none yet) gets the bytes in a temporary file beside it, renamed over
//    FILE by commit(); a transfer that fails leaves FILE as it was. A symlink is followed
//    (as curl's open(2) would): the temporary file goes beside the file the link points to,
//    and that file is replaced, so the link stays a link.
//  - A FILE that exists and is not a regular file (a FIFO, a device such as /dev/null) is
//    written in place: renaming over it would replace the device or pipe.
//  - append (`-C -`) writes onto the end of the existing file in place, as a resumed
//    download must: what came before is already there.
//  - no_clobber (curl's --no-clobber): commit() never replaces a file; when FILE exists it
//    takes FILE.1, FILE.2 ... FILE.100, atomically (renameat2 RENAME_NOREPLACE).
//
// A new file gets 0666 less the umask, as open(2) would give it; a regular file replaced
// keeps its permission bits. Errors: output_errc for the reasons a user can act on (the
// folder is missing, not writable, ...), else the system's error. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "core/result.h"
#include "net/fd.h"

namespace soket::net {

enum class output_errc {
  folder_missing = 1,   // The folder FILE would go in does not exist.
  folder_not_writable,  // No permission to create files in that folder.
  not_a_folder,         // A part of the path is a file, not a folder.
  is_a_folder,          // FILE is a folder.
  file_read_only,       // FILE exists and we may not write it.
  read_only_fs,         // The file system is mounted read-only.
  all_names_taken,      // --no-clobber: FILE and FILE.1 ... FILE.100 all exist.
  symlink_loop,         // More than 40 symlinks to follow.
  folder_refuses,       // The folder exists but takes no new files (/proc, /sys).
};
const std::error_category& output_error_category();
std::error_code make_error_code(output_errc e);

struct OutputFileOptions {
  bool append = false;      // Resume: write onto the end of the existing file.
  bool no_clobber = false;  // Never replace a file that exists.
};

class OutputFile {
 public:
  static Result<OutputFile> open(const std::string& path, OutputFileOptions options = {});
  OutputFile(OutputFile&&) = default;
  OutputFile& operator=(OutputFile&&) = default;
  ~OutputFile();

  Result<void> write(std::string_view bytes);
  // Throws away what was written, for a retry: true when done (a temporary file truncated),
  // false when the bytes cannot be taken back (in place, or appended).
  bool rewind();
  // Closes and puts the file in place; returns the name it got (FILE.1 with no_clobber).
  Result<std::string> commit();
  // Bytes the file held before this transfer (append), else 0.
  std::uint64_t initial_size() const { return initial_size_; }
  // The file the bytes will end up in, after following symlinks.
  const std::string& target() const { return target_; }

 private:
  OutputFile() = default;
  static Result<OutputFile> open_in_place(const std::string& path, bool truncate, bool append,
                                          std::uint64_t initial_size);

  std::string target_, temporary_;
  Fd fd_;
  unsigned mode_ = 0;
  bool in_place_ = false, no_clobber_ = false, committed_ = false;
  std::uint64_t initial_size_ = 0;
};

// A whole file's bytes, for the data a request sends (-d @FILE, -F name=@FILE); "-" is stdin.
Result<std::string> read_input_file(const std::string& path);

// The size of `path` (after symlinks), or 0 when it does not exist: where `-C -` resumes.
Result<std::uint64_t> existing_size(const std::string& path);

}  // namespace soket::net

template <>
struct std::is_error_code_enum<soket::net::output_errc> : std::true_type {};
