// The one JSON writer: run records, evaluation results and safetensors
// headers are built with it instead of by hand. Members keep the order they
// are written in; numbers are written in the shortest form that reads back to
// the same double; NaN and infinity, which JSON cannot hold, are written as
// null (a reader sees "not defined", not a made-up 0).
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ctcscope {

class JsonWriter {
 public:
  enum class Layout { pretty, compact };  // pretty: one object member a line, arrays on one line
  explicit JsonWriter(Layout layout = Layout::pretty) : layout_(layout) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);  // inside an object, before each value

  JsonWriter& string(std::string_view s);
  JsonWriter& number(double v);  // NaN and infinity as null
  template <std::integral Int>
  JsonWriter& integer(Int v) {
    return raw(std::to_string(v));
  }
  JsonWriter& boolean(bool b) { return raw(b ? "true" : "false"); }
  JsonWriter& null() { return raw("null"); }

  // The document; pretty layout ends it with a line break. Throws while an
  // object or array is still open.
  std::string str() const;

 private:
  struct Level {
    bool is_object = false;
    int members = 0;
  };
  JsonWriter& raw(std::string_view token);
  void before_value();
  void newline_indent(std::size_t depth);
  bool inline_here() const;  // inside an array in pretty layout

  Layout layout_;
  std::string out_;
  std::vector<Level> open_;
  bool key_pending_ = false;
};

}  // namespace ctcscope
