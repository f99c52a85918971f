// The JSON writer: what it writes reads back through the strict reader with
// the same values in the same order, in both layouts; NaN and infinity
// become null; misuse (a value without a key, an unfinished document) throws.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "base/error.h"
#include "base/json.h"
#include "base/json_writer.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

std::string sample(JsonWriter::Layout layout) {
  JsonWriter w(layout);
  w.begin_object();
  w.key("name").string("a \"quoted\"\nline");
  w.key("third").number(0.1 + 0.2);  // not a short decimal: must still read back exactly
  w.key("count").integer(std::int64_t{1} << 53);
  w.key("undefined").number(std::nan(""));
  w.key("infinite").number(std::numeric_limits<double>::infinity());
  w.key("flag").boolean(false);
  w.key("rows").begin_array();
  w.begin_array().integer(1).integer(2).end_array();
  w.begin_array().end_array();
  w.end_array();
  w.key("empty").begin_object().end_object();
  w.key("nested").begin_object().key("k").string("v").end_object();
  w.end_object();
  return w.str();
}

void expect_sample_values(const std::string& text) {
  const JsonValue v = json_parse(text, "written");
  const auto& m = v.as_object();
  ASSERT_EQ(m.size(), 9u) << text;
  EXPECT_EQ(m[0].first, "name");
  EXPECT_EQ(m[8].first, "nested");
  EXPECT_EQ(v.find("name")->as_string(), "a \"quoted\"\nline");
  EXPECT_EQ(v.find("third")->as_number(), 0.1 + 0.2);
  EXPECT_EQ(v.find("count")->as_integer(), std::int64_t{1} << 53);
  EXPECT_TRUE(v.find("undefined")->is_null());
  EXPECT_TRUE(v.find("infinite")->is_null());
  EXPECT_FALSE(v.find("flag")->as_bool());
  const auto& rows = v.find("rows")->as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].as_array()[1].as_integer(), 2);
  EXPECT_TRUE(rows[1].as_array().empty());
  EXPECT_TRUE(v.find("empty")->as_object().empty());
  EXPECT_EQ(v.find("nested")->find("k")->as_string(), "v");
}

TEST(JsonWriter, PrettyLayoutReadsBackInOrderOneMemberALine) {
  const std::string text = sample(JsonWriter::Layout::pretty);
  expect_sample_values(text);
  EXPECT_NE(text.find("\n  \"rows\": [[1, 2], []],\n"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(JsonWriter, CompactLayoutHasNoWhitespace) {
  const std::string text = sample(JsonWriter::Layout::compact);
  expect_sample_values(text);
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  EXPECT_NE(text.find("\"rows\":[[1,2],[]]"), std::string::npos) << text;
}

TEST(JsonWriter, MisuseThrows) {
  test::expect_error_containing([] { JsonWriter().begin_object().string("x"); }, "without a key");
  test::expect_error_containing([] { (void)JsonWriter().begin_array().str(); }, "unfinished");
  test::expect_error_containing([] { JsonWriter().key("k"); }, "outside an object");
  test::expect_error_containing([] { JsonWriter().begin_array().end_object(); }, "end_object");
}

}  // namespace
}  // namespace ctcscope
