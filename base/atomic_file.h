// Output files that are never left half-written: bytes go to a temporary
// file beside path ("path.tmp-<pid>-<n>", so two writers never share one),
// are flushed and fsynced, then renamed over path, and the folder is fsynced.
// A writer destroyed before commit() removes its temporary file. Every
// output of ctcscope goes through here.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace ctcscope {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t bytes);
  // The open temporary file, for writers that take a FILE* (libpng).
  std::FILE* stream() const { return file_; }
  // Flush, fsync, close, rename onto the final path, fsync the folder.
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
};

}  // namespace ctcscope
