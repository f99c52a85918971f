// torchvision names its weight files name-<first hex digits of sha256>.pth
// and checks the prefix after download (torch.hub's check_hash); so do we.
#include "base/input_file.h"
#include "base/sha256.h"
#include "formats/state_dict.h"

namespace ctcscope {

std::string torchvision_hash_prefix(const std::string& path) {
  std::string name = file_base_name(path);
  for (std::size_t dash = name.find('-'); dash != std::string::npos; dash = name.find('-', dash + 1)) {
    std::size_t end = dash + 1;
    while (end < name.size() && ((name[end] >= '0' && name[end] <= '9') || (name[end] >= 'a' && name[end] <= 'f'))) {
      ++end;
    }
    if (end < name.size() && name[end] == '.' && end - dash - 1 >= 8) return name.substr(dash + 1, end - dash - 1);
  }
  return "";
}

void check_torchvision_hash_prefix(const std::string& path) {
  std::string prefix = torchvision_hash_prefix(path);
  if (prefix.empty()) return;
  std::string digest = sha256_file_hex(path);
  if (digest.compare(0, prefix.size(), prefix) != 0) {
    CTC_FAIL(file_base_name(path), ": sha256 begins ", digest.substr(0, prefix.size()), "..., the file name says ",
             prefix, ": the download is corrupt");
  }
}

}  // namespace ctcscope
