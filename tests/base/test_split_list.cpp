// split_list: n separators give n + 1 pieces, empty pieces kept.
#include <gtest/gtest.h>

#include "base/split_list.h"

namespace ctcscope {
namespace {

using Pieces = std::vector<std::string>;

TEST(SplitList, PiecesBetweenSeparatorsEmptyOnesKept) {
  EXPECT_EQ(split_list("resnet50,resnet34"), (Pieces{"resnet50", "resnet34"}));
  EXPECT_EQ(split_list("one"), (Pieces{"one"}));
  EXPECT_EQ(split_list(""), (Pieces{""}));
  EXPECT_EQ(split_list("a,,b"), (Pieces{"a", "", "b"}));
  EXPECT_EQ(split_list(",a,"), (Pieces{"", "a", ""}));
  EXPECT_EQ(split_list("x=1;y=2", ';'), (Pieces{"x=1", "y=2"}));
}

}  // namespace
}  // namespace ctcscope
