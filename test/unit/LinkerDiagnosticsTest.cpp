//===- LinkerDiagnosticsTest.cpp - Unit tests of link error messages ------===//
//
// linkSharedLibrary names the symbols a failed link reports as undefined. The
// names must come out whole however long the linker's log is: the message
// quotes a shortened log, and a name cut at that limit once made the error
// depend on the length of the output path.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/CPU/CPUTarget.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <string>

using namespace mlir::loom;

namespace {

/// A directory removed at the end of the test.
struct TempDir {
  llvm::SmallString<128> path;
  TempDir() {
    EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("loom-link-test", path));
  }
  ~TempDir() { (void)llvm::sys::fs::remove_directories(path); }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> result(path);
    llvm::sys::path::append(result, name);
    return std::string(result);
  }
};

/// Writes an executable shell script at `path` that prints `log` to stderr
/// and exits 1, standing in for a linker that fails.
void writeFailingLinker(const std::string &path, const std::string &log) {
  std::error_code ec;
  {
    llvm::raw_fd_ostream os(path, ec);
    ASSERT_FALSE(ec);
    os << "#!/bin/sh\ncat >&2 <<'LOG'\n" << log << "LOG\nexit 1\n";
  }
  ASSERT_FALSE(
      llvm::sys::fs::setPermissions(path, llvm::sys::fs::perms::owner_all));
}

std::string linkError(const TempDir &dir) {
  llvm::Error error =
      linkSharedLibrary(dir.file("ld.sh"), dir.file("model.o"),
                        dir.file("model.so"), "model.so", dir.file("link.log"));
  EXPECT_TRUE(static_cast<bool>(error));
  return llvm::toString(std::move(error));
}

TEST(LinkerDiagnostics, NamesSurviveAnyLogLength) {
  // Place the name at every offset around the 600 characters the message
  // quotes, so that one of the logs puts the limit inside it.
  for (int padding = 560; padding < 640; ++padding) {
    TempDir dir;
    std::string log = "/usr/bin/ld: " + std::string(padding, 'p') +
                      ": undefined reference to `not_in_libc'\n"
                      "/usr/bin/ld: model.o: undefined reference to "
                      "`second_symbol'\n";
    writeFailingLinker(dir.file("ld.sh"), log);
    std::string message = linkError(dir);
    EXPECT_EQ(message, "linking model.so failed: the model calls functions "
                       "that neither it nor libc/libm define: not_in_libc, "
                       "second_symbol")
        << "padding " << padding;
  }
}

TEST(LinkerDiagnostics, LldSpellingAndRepeats) {
  TempDir dir;
  writeFailingLinker(dir.file("ld.sh"),
                     "ld.lld: error: undefined symbol: foo\n"
                     ">>> referenced by model\n"
                     "ld.lld: error: undefined symbol: foo\n"
                     "ld.lld: error: undefined symbol: bar\n");
  EXPECT_EQ(linkError(dir), "linking model.so failed: the model calls "
                            "functions that neither it nor libc/libm define: "
                            "foo, bar");
}

TEST(LinkerDiagnostics, OtherFailuresQuoteTheLog) {
  TempDir dir;
  writeFailingLinker(dir.file("ld.sh"), "cannot find -lm\n");
  std::string message = linkError(dir);
  EXPECT_NE(message.find("failed (exit status 1): cannot find -lm"),
            std::string::npos)
      << message;
}

} // namespace
