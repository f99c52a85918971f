// The zip archives torch.save writes (since PyTorch 1.6): entries stored
// uncompressed, found through the central directory (zip64 records included,
// as files over 4 GiB need). Deflated entries are refused with a message; the
// CRC-32 of every entry read is checked, so a flipped byte is an error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/input_file.h"

namespace ctcscope {

struct ZipEntry {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflated
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;
  std::uint64_t local_header_offset = 0;
};

class ZipReader {
 public:
  // Reads the central directory; errors name the file.
  explicit ZipReader(const std::string& path);

  const std::string& name() const { return file_.name(); }
  std::uint64_t file_size() const { return file_.size(); }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  // The entry with this exact name, or nullptr.
  const ZipEntry* find(const std::string& entry_name) const;

  // The whole entry's bytes into dst (entry.size bytes), CRC checked.
  void read(const ZipEntry& entry, void* dst) const;
  std::string read_string(const ZipEntry& entry) const;

 private:
  std::uint64_t data_offset(const ZipEntry& entry) const;

  InputFile file_;
  std::vector<ZipEntry> entries_;
};

std::uint32_t crc32_update(std::uint32_t crc, const void* data, std::size_t bytes);

}  // namespace ctcscope
