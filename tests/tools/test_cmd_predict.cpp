// ctcscope predict's command line: the combinations it refuses before it
// reads a file or writes one.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "tools/commands.h"
#include "tests/support/test_util.h"

namespace ctcscope::cli {
namespace {

TEST(CmdPredict, UsageErrorsComeBeforeAnyFileIsReadOrWritten) {
  const std::string out = (::ctcscope::test::scratch_root() / "ctcscope_test_cmd_predict.csv").string();
  // Grad-CAM explains one network: an ensemble has no one map.
  EXPECT_THROW(run_predict({"a.safetensors,b.safetensors", "--folder", "cells", "--out", out, "--saliency", "maps"}),
               UsageError);
  // A folder of images has no manifest columns to group by.
  EXPECT_THROW(run_predict({"a.safetensors", "--folder", "cells", "--out", out, "--group-by", "patient"}),
               UsageError);
  EXPECT_THROW(run_predict({"a.safetensors", "--folder", "cells", "--manifest", "data", "--out", out}), UsageError);
  EXPECT_THROW(run_predict({"a.safetensors", "--folder", "cells", "--out", out, "--threshold", "1.5"}), UsageError);
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace ctcscope::cli
