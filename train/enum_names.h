// The spelling of a closed set's values (an enum) in files and on the command
// line, and back: one table per enum, so a value is an enum everywhere in the
// code and a typo does not compile; a misspelt name in a file or a flag gives
// an error listing the names.
#pragma once

#include <string>

#include "base/error.h"

namespace ctcscope {

template <class E>
struct EnumName {
  E value;
  const char* name;
};

template <class E, std::size_t N>
const char* enum_name(const EnumName<E> (&names)[N], E value) {
  for (const auto& n : names) {
    if (n.value == value) return n.name;
  }
  return "?";
}

// "constant or cosine", "a, b or c".
template <class E, std::size_t N>
std::string enum_choices(const EnumName<E> (&names)[N]) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) out.append(i == 0 ? "" : i + 1 == N ? " or " : ", ").append(names[i].name);
  return out;
}

// Throws Error "must be constant or cosine, got 'x'".
template <class E, std::size_t N>
E enum_from_name(const EnumName<E> (&names)[N], const std::string& name) {
  for (const auto& n : names) {
    if (name == n.name) return n.value;
  }
  throw Error("must be " + enum_choices(names) + ", got '" + name + "'");
}

}  // namespace ctcscope
