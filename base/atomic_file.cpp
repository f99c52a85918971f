// AtomicFile: write to a temporary name, fsync, rename (POSIX rename is
// atomic within one file system, hence the same folder).
#include "base/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/error.h"

namespace ctcscope {

namespace {

// Crash testing (tests/train/slow_test_crash_safety.cpp): with
// CTCSCOPE_FAULT_KILL_BEFORE_RENAME=NAME[:N] set, the process SIGKILLs
// itself at the N-th (default 1st) commit of a path ending in NAME, after
// the temporary file is complete and fsynced and before the rename: the
// moment a crash would leave both the old file and a whole new temporary one.
void maybe_kill_before_rename(const std::string& path) {
  static const char* spec = std::getenv("CTCSCOPE_FAULT_KILL_BEFORE_RENAME");
  if (spec == nullptr || *spec == '\0') return;
  static std::atomic<int> seen{0};
  std::string name = spec;
  int nth = 1;
  if (auto colon = name.rfind(':'); colon != std::string::npos) {
    nth = std::atoi(name.c_str() + colon + 1);
    name.resize(colon);
  }
  if (!path.ends_with(name)) return;
  if (++seen == nth) ::kill(::getpid(), SIGKILL);
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  static std::atomic<unsigned> counter{0};
  temp_path_ = path_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  file_ = std::fopen(temp_path_.c_str(), "wb");
  CTC_CHECK_INPUT(file_ != nullptr, temp_path_, ": cannot open for writing: ", std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove(temp_path_.c_str());
  }
}

void AtomicFile::write(const void* data, std::size_t bytes) {
  CTC_CHECK(file_ != nullptr, temp_path_, ": write after commit");
  if (bytes == 0) return;
  CTC_CHECK_INPUT(std::fwrite(data, 1, bytes, file_) == bytes, temp_path_, ": write of ", bytes,
                  " bytes failed: ", std::strerror(errno));
}

void AtomicFile::commit() {
  CTC_CHECK(file_ != nullptr, temp_path_, ": committed twice");
  bool ok = std::ferror(file_) == 0 && std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
  int err = errno;
  ok = (std::fclose(file_) == 0) && ok;
  file_ = nullptr;
  if (!ok) {
    std::remove(temp_path_.c_str());
    CTC_FAIL(temp_path_, ": flush to disk failed: ", std::strerror(err));
  }
  maybe_kill_before_rename(path_);
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    err = errno;
    std::remove(temp_path_.c_str());
    CTC_FAIL(path_, ": cannot rename ", temp_path_, " onto it: ", std::strerror(err));
  }
  // The rename itself is durable once the folder's entry is on disk.
  std::string folder = ".";
  if (auto slash = path_.find_last_of('/'); slash != std::string::npos) folder = path_.substr(0, slash + 1);
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace ctcscope
