// The strict JSON reader: every value kind, escapes and surrogates, exact
// integers, and rejection (with the byte offset) of what RFC 8259 forbids.
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/json.h"

namespace ctcscope {
namespace {

TEST(Json, ParsesEveryKindInOrder) {
  JsonValue v = json_parse(R"( {"b": [1, -2.5e1, true, false, null], "a": "x", "c": {}} )", "t");
  ASSERT_TRUE(v.is_object());
  const auto& m = v.as_object();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].first, "b");
  EXPECT_EQ(m[1].first, "a");
  EXPECT_EQ(m[2].first, "c");
  const auto& arr = v.find("b")->as_array();
  ASSERT_EQ(arr.size(), 5u);
  EXPECT_TRUE(arr[0].is_integer());
  EXPECT_EQ(arr[0].as_integer(), 1);
  EXPECT_FALSE(arr[1].is_integer());
  EXPECT_DOUBLE_EQ(arr[1].as_number(), -25.0);
  EXPECT_TRUE(arr[2].as_bool());
  EXPECT_FALSE(arr[3].as_bool());
  EXPECT_TRUE(arr[4].is_null());
  EXPECT_EQ(v.find("a")->as_string(), "x");
  EXPECT_TRUE(v.find("c")->as_object().empty());
  EXPECT_EQ(v.find("zz"), nullptr);
}

TEST(Json, IntegersAreExact) {
  EXPECT_EQ(json_parse("9007199254740993", "t").as_integer(), 9007199254740993LL);
  EXPECT_EQ(json_parse("-9223372036854775808", "t").as_integer(), INT64_MIN);
  JsonValue big = json_parse("18446744073709551616", "t");
  EXPECT_FALSE(big.is_integer());
  EXPECT_DOUBLE_EQ(big.as_number(), 18446744073709551616.0);
  EXPECT_THROW(json_parse("1.5", "t").as_integer(), Error);
}

TEST(Json, StringEscapes) {
  EXPECT_EQ(json_parse(R"("a\"b\\c\/d\b\f\n\r\t")", "t").as_string(), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(json_parse(R"("\u00e9\u20ac")", "t").as_string(), "\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(json_parse(R"("\ud83d\ude00")", "t").as_string(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(json_parse("\"caf\xc3\xa9\"", "t").as_string(), "caf\xc3\xa9");
}

TEST(Json, QuoteRoundTrips) {
  std::string s = "q\"\\\n\t\x01 end \xc3\xa9";
  EXPECT_EQ(json_parse(json_quote(s), "t").as_string(), s);
  EXPECT_EQ(json_quote("a\"b"), "\"a\\\"b\"");
}

TEST(Json, RejectsWhatTheGrammarForbids) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "'a'", "tru",
                          "nul", "{a:1}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
                          "\"\\udc00\"", "\"a\nb\"", "1 2", "{} x", "NaN", "Infinity", "1e999"}) {
    EXPECT_THROW(json_parse(bad, "t"), Error) << "accepted: " << bad;
  }
}

TEST(Json, ErrorsNameTheSourceAndOffset) {
  try {
    json_parse("{\"a\": 1, \"a\": 2}", "model.safetensors: header");
    FAIL() << "duplicate key accepted";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("model.safetensors: header"), std::string::npos) << msg;
    EXPECT_NE(msg.find("duplicate key \"a\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("byte 9"), std::string::npos) << msg;
  }
}

TEST(Json, DepthIsBounded) {
  std::string deep(65, '[');
  deep += std::string(65, ']');
  EXPECT_THROW(json_parse(deep, "t"), Error);
  std::string ok(64, '[');
  ok += std::string(64, ']');
  EXPECT_NO_THROW(json_parse(ok, "t"));
  std::string hostile(1000000, '[');
  EXPECT_THROW(json_parse(hostile, "t"), Error);
}

TEST(Json, AccessorsCheckTheKind) {
  JsonValue v = json_parse("[1]", "t");
  EXPECT_THROW(v.as_object(), Error);
  EXPECT_THROW(v.as_string(), Error);
  EXPECT_THROW(v.as_array()[0].as_bool(), Error);
}

}  // namespace
}  // namespace ctcscope
