// net::OutputFile: atomic replacement, symlinks followed, in-place append, --no-clobber
// names, rewind for retries, and the reasons a path cannot be written.
#include "net/output_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace soket::net {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OutputFileTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("soket-output-file-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  int entries() const {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }
  fs::path dir_;
};

TEST_F(OutputFileTest, NothingAppearsUntilCommit) {
  auto file = OutputFile::open(path("a"));
  ASSERT_TRUE(file) << file.error().message();
  ASSERT_TRUE(file->write("hello"));
  EXPECT_FALSE(fs::exists(path("a")));
  EXPECT_EQ(*file->commit(), path("a"));
  EXPECT_EQ(slurp(path("a")), "hello");
  EXPECT_EQ(entries(), 1);
}

TEST_F(OutputFileTest, AnAbandonedFileLeavesNothingAndKeepsTheOld) {
  std::ofstream(path("a")) << "old";
  {
    auto file = OutputFile::open(path("a"));
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->write("new"));
  }
  EXPECT_EQ(slurp(path("a")), "old");
  EXPECT_EQ(entries(), 1);
}

TEST_F(OutputFileTest, RewindThrowsAwayWhatWasWritten) {
  auto file = OutputFile::open(path("a"));
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->write("first try"));
  EXPECT_TRUE(file->rewind());
  ASSERT_TRUE(file->write("second"));
  ASSERT_TRUE(file->commit());
  EXPECT_EQ(slurp(path("a")), "second");
}

// `-o /dev/stdout` with stdout a pipe: /proc/self/fd/N reads back as "pipe:[N]", never a place
// to rename a file to. The bytes go into the pipe itself.
TEST_F(OutputFileTest, ADescriptorPathOnAPipeIsWrittenInPlace) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  {
    auto file = OutputFile::open("/proc/self/fd/" + std::to_string(ends[1]));
    ASSERT_TRUE(file) << file.error().message();
    ASSERT_TRUE(file->write("through the pipe"));
    ASSERT_TRUE(file->commit());
  }
  ::close(ends[1]);
  char got[64] = {};
  EXPECT_EQ(::read(ends[0], got, sizeof got), 16);
  EXPECT_STREQ(got, "through the pipe");
  ::close(ends[0]);
  EXPECT_EQ(entries(), 0);
}

// `-o /dev/stdout >> log`: a rename over `log` would leave the shell's descriptor on the old,
// unlinked file and lose what is written through it afterwards. Written in place, the file
// stays the one the descriptor holds.
TEST_F(OutputFileTest, ADescriptorPathOnAFileKeepsThatFile) {
  std::ofstream(path("log")) << "old";
  const int held = ::open(path("log").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(held, 0);
  {
    auto file = OutputFile::open("/dev/fd/" + std::to_string(held));
    ASSERT_TRUE(file) << file.error().message();
    ASSERT_TRUE(file->write("body\n"));
    ASSERT_TRUE(file->commit());
  }
  ASSERT_EQ(::write(held, "after\n", 6), 6);
  ::close(held);
  EXPECT_EQ(slurp(path("log")), "body\nafter\n");
  EXPECT_EQ(entries(), 1);
}

// A name of 250 bytes cannot take ".soket-XXXXXX" (a name holds 255 at most): the temporary
// file gets a short name in the same folder instead.
TEST_F(OutputFileTest, ALongNameStillGetsATemporaryFile) {
  const std::string name(250, 'n');
  auto file = OutputFile::open(path(name));
  ASSERT_TRUE(file) << file.error().message();
  ASSERT_TRUE(file->write("long"));
  EXPECT_EQ(*file->commit(), path(name));
  EXPECT_EQ(slurp(path(name)), "long");
  EXPECT_EQ(entries(), 1);
}

TEST_F(OutputFileTest, ASymlinkStaysALinkAndItsTargetIsReplaced) {
  fs::create_directories(dir_ / "real");
  std::ofstream(dir_ / "real" / "t") << "old";
  fs::create_symlink("real/t", dir_ / "link");
  fs::create_symlink("link", dir_ / "link2");  // A chain of two.
  auto file = OutputFile::open(path("link2"));
  ASSERT_TRUE(file);
  EXPECT_EQ(file->target(), path("real/t"));
  ASSERT_TRUE(file->write("new"));
  ASSERT_TRUE(file->commit());
  EXPECT_TRUE(fs::is_symlink(dir_ / "link2"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "link"));
  EXPECT_EQ(slurp(dir_ / "real" / "t"), "new");
  // A dangling link creates the file it names.
  fs::create_symlink("made", dir_ / "dangling");
  auto made = OutputFile::open(path("dangling"));
  ASSERT_TRUE(made);
  ASSERT_TRUE(made->write("m"));
  ASSERT_TRUE(made->commit());
  EXPECT_EQ(slurp(dir_ / "made"), "m");
  // A loop is named as one.
  fs::create_symlink("loop2", dir_ / "loop1");
  fs::create_symlink("loop1", dir_ / "loop2");
  EXPECT_EQ(OutputFile::open(path("loop1")).error(), output_errc::symlink_loop);
}

TEST_F(OutputFileTest, AppendWritesOntoTheEnd) {
  std::ofstream(path("a")) << "0123";
  auto file = OutputFile::open(path("a"), {.append = true});
  ASSERT_TRUE(file);
  EXPECT_EQ(file->initial_size(), 4u);
  EXPECT_FALSE(file->rewind());  // Appended bytes cannot be taken back.
  ASSERT_TRUE(file->write("45"));
  ASSERT_TRUE(file->commit());
  EXPECT_EQ(slurp(path("a")), "012345");
  EXPECT_EQ(*existing_size(path("a")), 6u);
  EXPECT_EQ(*existing_size(path("none")), 0u);
}

TEST_F(OutputFileTest, NoClobberTakesTheNextFreeName) {
  std::ofstream(path("a")) << "mine";
  std::ofstream(path("a.1")) << "mine too";
  auto file = OutputFile::open(path("a"), {.no_clobber = true});
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->write("new"));
  EXPECT_EQ(*file->commit(), path("a.2"));
  EXPECT_EQ(slurp(path("a")), "mine");
  EXPECT_EQ(slurp(path("a.1")), "mine too");
  EXPECT_EQ(slurp(path("a.2")), "new");
  auto fresh = OutputFile::open(path("b"), {.no_clobber = true});
  ASSERT_TRUE(fresh);
  EXPECT_EQ(*fresh->commit(), path("b"));
}

TEST_F(OutputFileTest, EachReasonHasItsCode) {
  std::ofstream(path("file")) << "f";
  EXPECT_EQ(OutputFile::open(path("missing/x")).error(), output_errc::folder_missing);
  EXPECT_EQ(OutputFile::open(path("file/x")).error(), output_errc::not_a_folder);
  EXPECT_EQ(OutputFile::open(dir_.string()).error(), output_errc::is_a_folder);
  EXPECT_EQ(OutputFile::open("/proc/soket-unit-test").error(), output_errc::folder_refuses);
  EXPECT_EQ(existing_size(dir_.string()).error(), output_errc::is_a_folder);
  if (::geteuid() != 0) {  // root may write anywhere.
    fs::create_directories(dir_ / "locked");
    fs::permissions(dir_ / "locked", fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_EQ(OutputFile::open(path("locked/x")).error(), output_errc::folder_not_writable);
    ::chmod(path("file").c_str(), 0444);
    EXPECT_EQ(OutputFile::open(path("file")).error(), output_errc::file_read_only);
    fs::permissions(dir_ / "locked", fs::perms::owner_all);
  }
}

TEST_F(OutputFileTest, ReadInputFile) {
  std::ofstream(path("in"), std::ios::binary) << std::string("a\0b", 3);
  EXPECT_EQ(*read_input_file(path("in")), std::string("a\0b", 3));
  EXPECT_EQ(read_input_file(path("none")).error(), std::errc::no_such_file_or_directory);
}

}  // namespace
}  // namespace soket::net
