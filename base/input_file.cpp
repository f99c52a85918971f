// InputFile over stdio with 64-bit offsets (fseeko).
#include "base/input_file.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace ctcscope {

std::string file_base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

InputFile::InputFile(const std::string& path) : path_(path), name_(file_base_name(path)) {
  file_ = std::fopen(path.c_str(), "rb");
  CTC_CHECK_INPUT(file_ != nullptr, path, ": cannot open: ", std::strerror(errno));
  // fopen opens a folder too; its reads would then fail with a puzzling message.
  struct stat st{};
  if (fstat(fileno(file_), &st) != 0) {
    const int err = errno;
    std::fclose(file_);
    CTC_FAIL(path, ": cannot stat: ", std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    std::fclose(file_);
    CTC_FAIL(path, S_ISDIR(st.st_mode) ? ": is a folder, not a file" : ": not a regular file");
  }
  if (fseeko(file_, 0, SEEK_END) != 0) {
    std::fclose(file_);
    CTC_FAIL(path, ": cannot seek: ", std::strerror(errno));
  }
  off_t end = ftello(file_);
  if (end < 0) {
    std::fclose(file_);
    CTC_FAIL(path, ": cannot tell its size (not a regular file?)");
  }
  size_ = static_cast<std::uint64_t>(end);
}

InputFile::~InputFile() { std::fclose(file_); }

void InputFile::read_at(std::uint64_t offset, void* dst, std::uint64_t bytes) const {
  CTC_CHECK_INPUT(offset <= size_ && bytes <= size_ - offset, name_, ": read of ", bytes, " bytes at offset ",
                  offset, " runs past the end of the file (", size_, " bytes)");
  if (bytes == 0) return;
  CTC_CHECK_INPUT(fseeko(file_, static_cast<off_t>(offset), SEEK_SET) == 0, name_, ": cannot seek to ", offset);
  std::size_t got = std::fread(dst, 1, static_cast<std::size_t>(bytes), file_);
  CTC_CHECK_INPUT(got == bytes, name_, ": read ", got, " of ", bytes, " bytes at offset ", offset,
                  " (file changed while reading?)");
}

std::string InputFile::read_string_at(std::uint64_t offset, std::uint64_t bytes) const {
  CTC_CHECK_INPUT(offset <= size_ && bytes <= size_ - offset, name_, ": read of ", bytes, " bytes at offset ",
                  offset, " runs past the end of the file (", size_, " bytes)");
  std::string s(static_cast<std::size_t>(bytes), '\0');
  read_at(offset, s.data(), bytes);
  return s;
}

}  // namespace ctcscope
