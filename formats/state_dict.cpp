// read_state_dict: tells the weight formats apart by their first bytes:
// "PK\3\4" is torch.save's zip archive, pickle protocol 2 followed by
// PyTorch's magic number is the legacy stream, and a sane safetensors header
// length is safetensors. Anything else is an error naming the file.
#include <algorithm>
#include <cstring>

#include "base/input_file.h"
#include "formats/state_dict.h"

namespace ctcscope {

StateDict read_state_dict(const std::string& path) {
  std::string head;
  std::uint64_t size = 0;
  std::string name;
  {
    InputFile in(path);
    size = in.size();
    name = in.name();
    head = in.read_string_at(0, std::min<std::uint64_t>(size, 16));
  }
  if (head.rfind(std::string("PK\x03\x04", 4), 0) == 0) return read_pth(path);
  // PROTO 2, LONG1 of 10 bytes, 0x1950a86a20f9469cfc6c little-endian.
  static const char kLegacy[] = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
  if (head.rfind(std::string(kLegacy, sizeof kLegacy - 1), 0) == 0) return read_pth(path);
  if (head.size() >= 9) {
    std::uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(head[static_cast<std::size_t>(i)]);
    if (header_len >= 2 && header_len <= size - 8 && head[8] == '{') return read_safetensors(path).tensors;
  }
  CTC_FAIL(name, ": not a weight file: expected a safetensors file, a torch.save zip archive "
           "(\"PK\\x03\\x04\") or a legacy torch.save stream (pickle protocol 2 with PyTorch's magic number)");
}

}  // namespace ctcscope
