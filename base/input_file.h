// A read-only file with random access and its size, for the weight-file
// readers: every read is bounds-checked against the size found at open, and
// a short read is an error naming the file, the offset and the byte count.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace ctcscope {

class InputFile {
 public:
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  // The last component of the path, the name errors use.
  const std::string& name() const { return name_; }
  std::uint64_t size() const { return size_; }

  void read_at(std::uint64_t offset, void* dst, std::uint64_t bytes) const;
  std::string read_string_at(std::uint64_t offset, std::uint64_t bytes) const;
  std::string read_all() const { return read_string_at(0, size_); }

 private:
  std::string path_;
  std::string name_;
  std::FILE* file_ = nullptr;
  std::uint64_t size_ = 0;
};

// The last component of a path.
std::string file_base_name(const std::string& path);

}  // namespace ctcscope
