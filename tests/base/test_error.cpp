// The two kinds of check: an invariant names its condition and source line
// (relative to the repository, not the builder's folders); an input error is
// a sentence naming the file and what is wrong, with no source path.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "base/error.h"
#include "base/input_file.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

std::string message_of(void (*fn)()) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Error, InvariantEndsWithConditionAndRelativeSourceLine) {
  const int line = __LINE__ + 1;
  const std::string m = message_of([] { CTC_CHECK(1 + 1 == 3, "arithmetic: ", 2); });
  EXPECT_EQ(m, "arithmetic: 2 [1 + 1 == 3 at tests/base/test_error.cpp:" + std::to_string(line) + "]");
}

TEST(Error, InputErrorIsTheSentenceAlone) {
  EXPECT_EQ(message_of([] { CTC_CHECK_INPUT(false, "cells.csv:3: ", "label 'x' is not a class"); }),
            "cells.csv:3: label 'x' is not a class");
}

// A user's bad file, end to end through a reader: the file's name first, what
// is wrong, and no trace of the source (".cpp", "[... at").
TEST(Error, ABadFileIsNamedWithoutSourcePaths) {
  const std::string path = test::fresh_test_dir("ctcscope_test_error") + "/big.safetensors";
  std::ofstream(path) << "abc";
  try {
    InputFile file(path);
    (void)file.read_string_at(1, 8);
    FAIL() << "8 bytes were read from a 3-byte file";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("big.safetensors: read of 8 bytes at offset 1", 0), 0u) << m;
    EXPECT_EQ(m.find(".cpp"), std::string::npos) << m;
    EXPECT_EQ(m.find(" at tensor/"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace ctcscope
