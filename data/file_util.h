// Small file helpers shared by data/: whole-file reads and the write that
// never leaves a half-written output (a temporary name in the same folder,
// flushed and synced, then renamed over the target).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace ctcscope {

// The file's bytes; an unreadable file, or one larger than max_bytes (checked
// before reading), is an error naming it.
std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes = std::uint64_t{1} << 30);

// A fresh temporary name beside `path` ("path.tmp-<pid>-<n>").
std::string temp_path_beside(const std::string& path);

// fflush + fsync + fclose of `file` (opened on `tmp`), then rename tmp -> path.
// On any failure tmp is removed and an error naming `path` is thrown.
void finish_atomic_write(std::FILE* file, const std::string& tmp, const std::string& path);

// Writes `bytes` to `path` atomically.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace ctcscope
