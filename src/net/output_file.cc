#include "net/output_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <utility>

#include "core/error_category.h"

namespace soket::net {
namespace {

const char* describe(output_errc code) {
  switch (code) {
    case output_errc::folder_missing:
      return "the folder it would go in does not exist";
    case output_errc::folder_not_writable:
      return "no permission to create files in its folder";
    case output_errc::not_a_folder:
      return "a part of the path is a file, not a folder";
    case output_errc::is_a_folder:
      return "it is a folder";
    case output_errc::file_read_only:
      return "the file exists and is not writable (permission denied)";
    case output_errc::read_only_fs:
      return "the file system is read-only";
    case output_errc::all_names_taken:
      return "it exists, and so do its names .1 to .100 (--no-clobber)";
    case output_errc::symlink_loop:
      return "too many levels of symbolic links";
    case output_errc::folder_refuses:
      return "its folder takes no new files (a kernel file system such as /proc?)";
  }
  return "cannot write the file";
}

// Why a file could not be created in its folder, in words a user can act on.
std::error_code creation_error(int error) {
  switch (error) {
    case ENOENT:
      return make_error_code(output_errc::folder_missing);
    case EACCES:
    case EPERM:
      return make_error_code(output_errc::folder_not_writable);
    case ENOTDIR:
      return make_error_code(output_errc::not_a_folder);
    case EROFS:
      return make_error_code(output_errc::read_only_fs);
    case EISDIR:
      return make_error_code(output_errc::is_a_folder);
    case ELOOP:
      return make_error_code(output_errc::symlink_loop);
    default:
      return {error, std::system_category()};
  }
}

std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The file `path` names once its symlinks are followed (the last component only, as often as
// it is a link; a dangling link names the file it would create), at most 40 hops as the
// kernel allows.
Result<std::string> follow_links(std::string path) {
  for (int hops = 0; hops <= 40; ++hops) {
    char link[PATH_MAX];
    const ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
    if (n < 0) {
      if (errno == EINVAL || errno == ENOENT) return path;  // Not a link, or nothing there.
      return creation_error(errno);
    }
    std::string next(link, static_cast<std::size_t>(n));
    path = next.front() == '/' ? next : folder_of(path) + "/" + next;
  }
  return make_error_code(output_errc::symlink_loop);
}

// Whether `path` reaches an open descriptor rather than a file: /dev/stdout, /dev/fd/N,
// /proc/self/fd/N, or a link to one of them. Those links name "pipe:[N]" or a file the
// shell opened, never a place to rename a new file to: they are written in place, as curl
// writes them. (Bounded like follow_links.)
bool names_a_descriptor(std::string path) {
  for (int hops = 0; hops <= 40; ++hops) {
    const bool proc_fd = path.starts_with("/proc/") && path.find("/fd/") != std::string::npos;
    if (proc_fd || path.starts_with("/dev/fd/") || path == "/dev/stdout" || path == "/dev/stderr")
      return true;
    char link[PATH_MAX];
    const ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
    if (n <= 0) return false;
    std::string next(link, static_cast<std::size_t>(n));
    path = next.front() == '/' ? next : folder_of(path) + "/" + next;
  }
  return false;
}

// The temporary file beside `target`: FILE.soket-XXXXXX, or .soket-XXXXXX in its folder when
// FILE is too long a name to take the suffix (a name has at most 255 bytes).
std::string temporary_name(const std::string& target) {
  constexpr std::string_view kSuffix = ".soket-XXXXXX";
  const auto slash = target.rfind('/');
  const std::size_t name_length =
      slash == std::string::npos ? target.size() : target.size() - slash - 1;
  if (name_length + kSuffix.size() <= 255) return target + std::string(kSuffix);
  return folder_of(target) + "/" + std::string(kSuffix);
}

// The mode open(2) gives a new file: 0666 less the umask. (umask(2) can only be read by
// setting it; soket's clients write files from one thread, so putting it back is safe.)
unsigned new_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// Renames without replacing anything: RENAME_NOREPLACE where the file system has it, else
// link(2), which also fails on EEXIST, then unlink(2).
int rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  ::unlink(from.c_str());
  return 0;
}

}  // namespace

const std::error_category& output_error_category() {
  static const EnumErrorCategory<output_errc> category("output file", describe);
  return category;
}

std::error_code make_error_code(output_errc e) {
  return {static_cast<int>(e), output_error_category()};
}

// Opens `path` itself for writing: no temporary file, no rename (a descriptor, a device, a
// FIFO, or a file in a folder that takes no new files).
Result<OutputFile> OutputFile::open_in_place(const std::string& path, bool truncate, bool append,
                                             std::uint64_t initial_size) {
  OutputFile file;
  file.target_ = path;
  file.in_place_ = true;
  const int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC | (append ? O_APPEND | O_CREAT : 0) |
                    (truncate ? O_CREAT | O_TRUNC : 0);
  file.fd_.reset(::open(path.c_str(), flags, 0666));
  if (!file.fd_.valid()) return creation_error(errno);
  file.initial_size_ = initial_size;
  return file;
}

Result<OutputFile> OutputFile::open(const std::string& path, OutputFileOptions options) {
  if (!options.no_clobber && names_a_descriptor(path)) {
    struct stat status {};
    const bool regular = ::stat(path.c_str(), &status) == 0 && S_ISREG(status.st_mode);
    return open_in_place(
        path, /*truncate=*/regular && !options.append, options.append,
        options.append && regular ? static_cast<std::uint64_t>(status.st_size) : 0);
  }
  OutputFile file;
  // --no-clobber keeps whatever the name is, a link included.
  auto target = options.no_clobber ? Result<std::string>(path) : follow_links(path);
  if (!target) return target.error();
  file.target_ = *target;
  file.no_clobber_ = options.no_clobber;
  struct stat status {};
  const bool exists = ::stat(file.target_.c_str(), &status) == 0;
  if (exists && S_ISDIR(status.st_mode)) return make_error_code(output_errc::is_a_folder);
  if (exists && ::access(file.target_.c_str(), W_OK) != 0 && !options.no_clobber) {
    return errno == EROFS ? make_error_code(output_errc::read_only_fs)
                          : make_error_code(output_errc::file_read_only);
  }
  if (options.append || (exists && !S_ISREG(status.st_mode) && !options.no_clobber)) {
    return open_in_place(file.target_, /*truncate=*/false, options.append,
                         options.append && exists ? static_cast<std::uint64_t>(status.st_size) : 0);
  }
  // A file replaced keeps its permission bits, as one truncated in place would.
  file.mode_ = exists && !options.no_clobber ? (status.st_mode & 0777) : new_file_mode();
  file.temporary_ = temporary_name(file.target_);
  file.fd_.reset(::mkostemp(file.temporary_.data(), O_CLOEXEC));  // 0600 until commit().
  if (!file.fd_.valid()) {
    const int error = errno;
    // A file we may write, in a folder that takes no new files: curl truncates it in place,
    // and so do we (the write is then not atomic: there is nowhere to put a temporary file).
    if (error == EACCES && exists && !options.no_clobber) {
      return open_in_place(file.target_, /*truncate=*/true, false, 0);
    }
    struct stat folder {};
    if (error == ENOENT && ::stat(folder_of(file.target_).c_str(), &folder) == 0 &&
        S_ISDIR(folder.st_mode))
      return make_error_code(output_errc::folder_refuses);
    return creation_error(error);
  }
  return file;
}

OutputFile::~OutputFile() {
  fd_.reset();
  if (!committed_ && !in_place_ && !temporary_.empty()) ::unlink(temporary_.c_str());
}

Result<void> OutputFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_system_error();
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

bool OutputFile::rewind() {
  if (in_place_) return false;
  return ::ftruncate(fd_.get(), 0) == 0 && ::lseek(fd_.get(), 0, SEEK_SET) == 0;
}

Result<std::string> OutputFile::commit() {
  if (!in_place_ && ::fchmod(fd_.get(), mode_) != 0) return last_system_error();
  if (::close(fd_.release()) != 0) return last_system_error();
  std::string name = target_;
  if (!in_place_ && !no_clobber_ && ::rename(temporary_.c_str(), name.c_str()) != 0)
    return creation_error(errno);
  if (!in_place_ && no_clobber_) {
    // curl's --no-clobber: FILE, then FILE.1 up to FILE.100.
    int error = EEXIST;
    for (int n = 0; n <= 100 && error == EEXIST; ++n) {
      name = n == 0 ? target_ : target_ + "." + std::to_string(n);
      error = rename_no_replace(temporary_, name);
    }
    if (error == EEXIST) return make_error_code(output_errc::all_names_taken);
    if (error != 0) return creation_error(error);
  }
  committed_ = true;
  return name;
}

Result<std::string> read_input_file(const std::string& path) {
  Fd owned;
  int fd = STDIN_FILENO;
  if (path != "-") {
    owned.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!owned.valid()) return last_system_error();
    fd = owned.get();
  }
  std::string contents;
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_system_error();
    if (n == 0) return contents;
    contents.append(chunk, static_cast<std::size_t>(n));
  }
}

Result<std::uint64_t> existing_size(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return std::uint64_t{0};
    return creation_error(errno);
  }
  if (S_ISDIR(status.st_mode)) return make_error_code(output_errc::is_a_folder);
  return S_ISREG(status.st_mode) ? static_cast<std::uint64_t>(status.st_size) : 0;
}

}  // namespace soket::net
