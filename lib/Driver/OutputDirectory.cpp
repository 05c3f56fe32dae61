//===- OutputDirectory.cpp - Write a directory of outputs atomically ------===//
//
// See OutputDirectory.h. Linux: renameat2(RENAME_EXCHANGE) swaps the new
// directory with the old one atomically; where the file system does not
// support it, the old directory is first renamed aside (a short window in
// which OUTDIR does not exist, but never a half-written one).
//
//===----------------------------------------------------------------------===//

#include "loom/Driver/OutputDirectory.h"
#include "loom/Support/Errors.h"

#include "loom/Runtime/Manifest.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace mlir;
using namespace mlir::loom;

/// The staging directories alive now, for removeAllPending and the signal
/// handler: a fixed table of atomically swapped C strings, because a signal
/// handler may neither lock a mutex nor walk a std::set that another thread
/// is changing. A compile has one or two staging directories alive at once; a
/// directory that finds the table full is still removed by its destructor.
static constexpr int kMaxPending = 32;
static std::atomic<char *> pendingPaths[kMaxPending];

static void addPending(const std::string &path) {
  char *copy = strdup(path.c_str());
  if (!copy)
    return;
  for (std::atomic<char *> &slot : pendingPaths) {
    char *expected = nullptr;
    if (slot.compare_exchange_strong(expected, copy))
      return;
  }
  free(copy);
}

static void erasePending(const std::string &path) {
  for (std::atomic<char *> &slot : pendingPaths) {
    char *entry = slot.load();
    if (entry && path == entry && slot.compare_exchange_strong(entry, nullptr)) {
      free(entry);
      return;
    }
  }
}

/// Removes a staging directory (which holds only files) with system calls
/// that are safe in a signal handler: no allocation, no locks, no stdio.
static void removeFlatDirectory(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    alignas(8) char buffer[4096];
    for (;;) {
      long bytes = syscall(SYS_getdents64, fd, buffer, sizeof(buffer));
      if (bytes <= 0)
        break;
      for (long offset = 0; offset < bytes;) {
        // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
        unsigned short length;
        memcpy(&length, buffer + offset + 16, sizeof(length));
        const char *name = buffer + offset + 19;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
          (void)unlinkat(fd, name, 0);
        offset += length;
      }
    }
    close(fd);
  }
  (void)rmdir(path);
}

/// A path next to `destination`: `<parent>/.<name>.loomc-<tag>-XXXXXX`.
static std::string siblingModel(llvm::StringRef destination,
                                llvm::StringRef tag) {
  llvm::SmallString<256> model(llvm::sys::path::parent_path(destination));
  llvm::sys::path::append(model, "." + llvm::sys::path::filename(destination) +
                                     ".loomc-" + tag + "-%%%%%%");
  return std::string(model);
}

/// Creates a new, uniquely named directory from `model`.
static llvm::Expected<std::string>
createUniqueDirectory(llvm::StringRef model) {
  std::error_code ec;
  for (int attempt = 0; attempt < 128; ++attempt) {
    llvm::SmallString<256> path;
    llvm::sys::fs::createUniquePath(model, path, /*MakeAbsolute=*/false);
    ec = llvm::sys::fs::create_directory(path, /*IgnoreExisting=*/false);
    if (!ec)
      return std::string(path);
    if (ec != std::errc::file_exists)
      break;
  }
  return makeError("cannot create a directory like '" + model +
                   "': " + ec.message());
}

/// Whether `destination` is absent, an empty directory or a loomc output
/// directory; the error says why not.
static llvm::Error checkReplaceable(llvm::StringRef destination) {
  if (llvm::sys::fs::is_symlink_file(destination))
    return makeError("'" + destination +
                     "' is a symbolic link; not replacing it");
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(destination, status)) {
    if (ec == std::errc::no_such_file_or_directory)
      return llvm::Error::success();
    return makeError("'" + destination + "': " + ec.message());
  }
  if (status.type() != llvm::sys::fs::file_type::directory_file)
    return makeError("'" + destination +
                     "' exists and is not a directory; not replacing it");
  std::error_code ec;
  llvm::sys::fs::directory_iterator it(destination, ec), end;
  if (ec)
    return makeError("'" + destination + "': " + ec.message());
  if (it == end)
    return llvm::Error::success();
  llvm::SmallString<256> manifestPath(destination);
  llvm::sys::path::append(manifestPath, "manifest.json");
  auto buffer = llvm::MemoryBuffer::getFile(manifestPath, /*IsText=*/true);
  if (buffer) {
    llvm::Expected<llvm::json::Value> json =
        llvm::json::parse((*buffer)->getBuffer());
    if (!json) {
      llvm::consumeError(json.takeError());
    } else if (const llvm::json::Object *object = json->getAsObject()) {
      if (object->getString("generator") == llvm::StringRef(kManifestGenerator))
        return llvm::Error::success();
    }
  }
  return makeError("'" + destination +
                   "' exists and is not a loomc output directory (no "
                   "manifest.json written by loomc); not replacing it");
}

/// `destination` without trailing slashes ("out/" names "out").
static llvm::StringRef trimSlashes(llvm::StringRef destination) {
  while (destination.size() > 1 && destination.ends_with("/"))
    destination = destination.drop_back();
  return destination;
}

llvm::Error
StagedOutputDirectory::checkDestination(llvm::StringRef destination) {
  if (destination.empty())
    return makeError("the output directory name is empty");
  llvm::StringRef trimmed = trimSlashes(destination);
  if (llvm::sys::path::filename(trimmed) == "." ||
      llvm::sys::path::filename(trimmed) == ".." || trimmed == "/")
    return makeError("'" + destination +
                     "' cannot be an output directory (name a new or a "
                     "loomc output directory)");
  if (llvm::Error e = checkReplaceable(trimmed))
    return e;
  llvm::StringRef parent = llvm::sys::path::parent_path(trimmed);
  if (!parent.empty() && !llvm::sys::fs::is_directory(parent))
    return makeError("the parent directory '" + parent + "' of '" +
                     destination + "' does not exist");
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<StagedOutputDirectory>>
StagedOutputDirectory::create(llvm::StringRef destination) {
  if (llvm::Error e = checkDestination(destination))
    return std::move(e);
  llvm::StringRef trimmed = trimSlashes(destination);
  llvm::Expected<std::string> staging =
      createUniqueDirectory(siblingModel(trimmed, "tmp"));
  if (!staging)
    return staging.takeError();
  addPending(*staging);
  return std::unique_ptr<StagedOutputDirectory>(
      new StagedOutputDirectory(trimmed.str(), *staging));
}

StagedOutputDirectory::StagedOutputDirectory(std::string destination,
                                             std::string staging)
    : destination(std::move(destination)), staging(std::move(staging)) {}

StagedOutputDirectory::~StagedOutputDirectory() {
  if (!committed)
    (void)llvm::sys::fs::remove_directories(staging, /*IgnoreErrors=*/true);
  erasePending(staging);
}

void StagedOutputDirectory::removeAllPending() {
  // Leaves the table as it is: after a fatal error or signal the process
  // exits without freeing anything.
  for (std::atomic<char *> &slot : pendingPaths)
    if (char *path = slot.load())
      removeFlatDirectory(path);
}

std::string StagedOutputDirectory::getPath(llvm::StringRef fileName) const {
  llvm::SmallString<256> path(staging);
  llvm::sys::path::append(path, fileName);
  return std::string(path);
}

llvm::Error StagedOutputDirectory::writeFile(llvm::StringRef fileName,
                                             llvm::StringRef contents) {
  std::string path = getPath(fileName);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError(path + ": cannot write: " + ec.message());
  os << contents;
  std::string message = closeAndTakeWriteError(os);
  if (!message.empty())
    return makeError(path + ": write failed: " + message);
  return llvm::Error::success();
}

llvm::Error StagedOutputDirectory::commit() {
  // Checked again: the destination may have changed during the compile.
  if (llvm::Error e = checkReplaceable(destination))
    return e;
  if (!llvm::sys::fs::exists(destination)) {
    if (std::error_code ec = llvm::sys::fs::rename(staging, destination))
      return makeError("cannot rename '" + staging + "' to '" + destination +
                       "': " + ec.message());
    committed = true;
    return llvm::Error::success();
  }
  if (renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, destination.c_str(),
                RENAME_EXCHANGE) == 0) {
    // The staging path now holds the previous output.
    committed = true;
    (void)llvm::sys::fs::remove_directories(staging, /*IgnoreErrors=*/true);
    return llvm::Error::success();
  }
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    return makeError("cannot replace '" + destination +
                     "': " + std::generic_category().message(errno));
  // No RENAME_EXCHANGE on this file system: move the old directory aside.
  llvm::SmallString<256> old;
  llvm::sys::fs::createUniquePath(siblingModel(destination, "old"), old,
                                  /*MakeAbsolute=*/false);
  if (std::error_code ec = llvm::sys::fs::rename(destination, old))
    return makeError("cannot move the previous '" + destination +
                     "' aside: " + ec.message());
  if (std::error_code ec = llvm::sys::fs::rename(staging, destination)) {
    (void)llvm::sys::fs::rename(old, destination);
    return makeError("cannot rename '" + staging + "' to '" + destination +
                     "': " + ec.message());
  }
  committed = true;
  (void)llvm::sys::fs::remove_directories(old, /*IgnoreErrors=*/true);
  return llvm::Error::success();
}
