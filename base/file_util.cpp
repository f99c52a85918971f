// Whole-file reads and atomic writes (temporary name, flush, fsync, rename).
#include "base/file_util.h"


#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/atomic_file.h"
#include "base/error.h"

namespace ctcscope {

std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) CTC_FAIL(path, ": cannot open (", std::strerror(errno), ")");
  const std::streamoff size = in.tellg();
  CTC_CHECK_INPUT(size >= 0 && static_cast<std::uint64_t>(size) <= max_bytes, path, ": ", size,
                  " bytes is more than the ", max_bytes, " this file may hold");
  in.seekg(0);
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) CTC_FAIL(path, ": read error");
  return out.str();
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  AtomicFile file(path);
  file.write(bytes.data(), bytes.size());
  file.commit();
}

}  // namespace ctcscope
