// Small file helpers shared by data/ and above: whole-file reads, and whole
// files written through tensor/AtomicFile (never left half-written).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace ctcscope {

// The file's bytes; an unreadable file, or one larger than max_bytes (checked
// before reading), is an error naming it.
std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes = std::uint64_t{1} << 30);

// Writes `bytes` to `path` atomically (tensor/atomic_file).
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace ctcscope
