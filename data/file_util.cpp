// Whole-file reads and atomic writes (temporary name, flush, fsync, rename).
#include "data/file_util.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace ctcscope {

std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) CTC_FAIL(path, ": cannot open (", std::strerror(errno), ")");
  const std::streamoff size = in.tellg();
  CTC_CHECK(size >= 0 && static_cast<std::uint64_t>(size) <= max_bytes, path, ": ", size,
            " bytes is more than the ", max_bytes, " this file may hold");
  in.seekg(0);
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) CTC_FAIL(path, ": read error");
  return out.str();
}

std::string temp_path_beside(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  std::string tmp = path;
  tmp.append(".tmp-").append(std::to_string(::getpid())).append("-").append(std::to_string(counter++));
  return tmp;
}

void finish_atomic_write(std::FILE* file, const std::string& tmp, const std::string& path) {
  bool ok = std::ferror(file) == 0;
  ok = std::fflush(file) == 0 && ok;
  ok = ::fsync(::fileno(file)) == 0 && ok;
  const int saved = errno;
  ok = std::fclose(file) == 0 && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    CTC_FAIL(path, ": write failed (", std::strerror(saved), ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    CTC_FAIL(path, ": cannot rename the temporary file into place (", std::strerror(err), ")");
  }
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  const std::string tmp = temp_path_beside(path);
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (!file) CTC_FAIL(path, ": cannot create ", tmp, " (", std::strerror(errno), ")");
  if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), file);
  finish_atomic_write(file, tmp, path);
}

}  // namespace ctcscope
