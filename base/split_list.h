// Splitting a list written in one string ("resnet50,resnet34", metadata's
// "0.485,0.456,0.406"): the one splitter every layer uses.
#pragma once

#include <string>
#include <vector>

namespace ctcscope {

// The pieces between separators, empty ones included: n separators give n + 1
// pieces, so "" gives {""} and "a,,b" gives {"a", "", "b"}.
inline std::vector<std::string> split_list(const std::string& s, char sep = ',') {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t end; (end = s.find(sep, start)) != std::string::npos; start = end + 1) {
    out.push_back(s.substr(start, end - start));
  }
  out.push_back(s.substr(start));
  return out;
}

}  // namespace ctcscope
