// SHA-256 (FIPS 180-4), for the hashes that make runs traceable: weight
// files (torchvision's name-XXXXXXXX.pth prefix), manifests, checkpoints.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ctcscope {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t bytes);
  // The digest as 64 lowercase hex digits. The object is spent afterwards.
  std::string hex();

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view bytes);
// Reads the file in chunks; an unreadable file is an error naming it.
std::string sha256_file_hex(const std::string& path);

}  // namespace ctcscope
