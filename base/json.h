// A minimal, strict JSON reader (RFC 8259) for safetensors headers and run
// records: objects keep their key order and reject duplicate keys, nesting
// depth is bounded, integers without fraction or exponent are kept exact.
// json_quote writes a string literal for the few writers that need one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ctcscope {

class JsonValue {
 public:
  enum class Kind { null, boolean, number, string, array, object };
  using Members = std::vector<std::pair<std::string, JsonValue>>;

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_bool() const { return kind_ == Kind::boolean; }
  bool is_number() const { return kind_ == Kind::number; }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_array() const { return kind_ == Kind::array; }
  bool is_object() const { return kind_ == Kind::object; }
  // A number written without fraction or exponent that fits in int64.
  bool is_integer() const { return kind_ == Kind::number && exact_integer_; }

  // Accessors throw ctcscope::Error when the kind differs.
  bool as_bool() const;
  double as_number() const;
  std::int64_t as_integer() const;
  const std::string& as_string() const;
  const std::vector<JsonValue>& as_array() const;
  const Members& as_object() const;  // in file order
  // Member of an object, or nullptr.
  const JsonValue* find(std::string_view key) const;

  static const char* kind_name(Kind kind);

  static JsonValue make_null() { return JsonValue(); }
  static JsonValue make_bool(bool b);
  static JsonValue make_number(double d);
  static JsonValue make_integer(std::int64_t i);
  static JsonValue make_string(std::string s);
  static JsonValue make_array(std::vector<JsonValue> items);
  static JsonValue make_object(Members members);

 private:
  Kind kind_ = Kind::null;
  bool bool_ = false;
  bool exact_integer_ = false;
  double number_ = 0.0;
  std::int64_t integer_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  Members object_;
};

struct JsonLimits {
  int max_depth = 64;
};

// Parses one JSON value; only whitespace may follow it. Errors name `what`
// (the file or item), the byte offset and what was found.
JsonValue json_parse(std::string_view text, const std::string& what, JsonLimits limits = {});

// "a\"b" -> "\"a\\\"b\"", control characters as \u00XX; UTF-8 passes through.
std::string json_quote(std::string_view s);

}  // namespace ctcscope
