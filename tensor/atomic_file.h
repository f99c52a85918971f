// Output files that are never left half-written: bytes go to path + ".tmp"
// in the same folder, are flushed and fsynced, then renamed over path.
// A writer destroyed before commit() removes its temporary file.
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
