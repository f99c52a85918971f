// The one error type of ctcscope and the checked-call macros.
// Library code throws ctcscope::Error; only tools/ turns it into a message and
// a non-zero exit. Two kinds of check, two macros:
//   CTC_CHECK        an internal invariant (a caller's bug): the message ends
//                    with "[cond at tensor/tensor.cpp:N]" so a developer finds it;
//   CTC_CHECK_INPUT  the user's input is wrong (a file, an option, a folder):
//                    the message is a sentence naming the file and what is
//                    wrong, and nothing else (a source path tells a user nothing).
// Paths are relative to the repository root (-fmacro-prefix-map in CMakeLists.txt).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace ctcscope {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

template <class... Parts>
[[noreturn]] void fail_check(const char* file, int line, const char* cond, const Parts&... parts) {
  std::ostringstream out;
  if constexpr (sizeof...(parts) > 0) {
    (out << ... << parts);
  } else {
    out << "check failed";
  }
  out << " [" << cond << " at " << file << ":" << line << "]";
  throw Error(out.str());
}

}  // namespace detail
}  // namespace ctcscope

// CTC_CHECK(cond, message parts...): throws ctcscope::Error when cond is false.
#define CTC_CHECK(cond, ...)                                                   \
  do {                                                                         \
    if (!(cond)) {                                                             \
      ::ctcscope::detail::fail_check(__FILE__, __LINE__, #cond __VA_OPT__(,) __VA_ARGS__); \
    }                                                                          \
  } while (0)

// CTC_CHECK_INPUT(cond, message parts...): throws ctcscope::Error with the
// message alone when cond is false. The message names the file (or option).
#define CTC_CHECK_INPUT(cond, ...)                                             \
  do {                                                                         \
    if (!(cond)) throw ::ctcscope::Error(::ctcscope::detail::concat(__VA_ARGS__)); \
  } while (0)

// CTC_FAIL(message parts...): throws unconditionally, the message alone (for
// input errors found without a single condition).
#define CTC_FAIL(...) throw ::ctcscope::Error(::ctcscope::detail::concat(__VA_ARGS__))
