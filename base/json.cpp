// The strict JSON reader: a recursive descent over the bytes, one function
// per grammar rule, with the depth counted on the way down.
#include "base/json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "base/error.h"

namespace ctcscope {

const char* JsonValue::kind_name(Kind kind) {
  switch (kind) {
    case Kind::null: return "null";
    case Kind::boolean: return "a boolean";
    case Kind::number: return "a number";
    case Kind::string: return "a string";
    case Kind::array: return "an array";
    case Kind::object: return "an object";
  }
  return "?";
}

static void expect_kind(const JsonValue& v, JsonValue::Kind kind) {
  CTC_CHECK(v.kind() == kind, "JSON value is ", JsonValue::kind_name(v.kind()), ", expected ",
            JsonValue::kind_name(kind));
}

bool JsonValue::as_bool() const { expect_kind(*this, Kind::boolean); return bool_; }
double JsonValue::as_number() const { expect_kind(*this, Kind::number); return number_; }
std::int64_t JsonValue::as_integer() const {
  expect_kind(*this, Kind::number);
  CTC_CHECK(exact_integer_, "JSON number ", number_, " is not an integer");
  return integer_;
}
const std::string& JsonValue::as_string() const { expect_kind(*this, Kind::string); return string_; }
const std::vector<JsonValue>& JsonValue::as_array() const { expect_kind(*this, Kind::array); return array_; }
const JsonValue::Members& JsonValue::as_object() const { expect_kind(*this, Kind::object); return object_; }

const JsonValue* JsonValue::find(std::string_view key) const {
  if (kind_ != Kind::object) return nullptr;
  for (const auto& [k, v] : object_) {
    if (k == key) return &v;
  }
  return nullptr;
}

JsonValue JsonValue::make_bool(bool b) { JsonValue v; v.kind_ = Kind::boolean; v.bool_ = b; return v; }
JsonValue JsonValue::make_number(double d) { JsonValue v; v.kind_ = Kind::number; v.number_ = d; return v; }
JsonValue JsonValue::make_integer(std::int64_t i) {
  JsonValue v;
  v.kind_ = Kind::number;
  v.number_ = static_cast<double>(i);
  v.integer_ = i;
  v.exact_integer_ = true;
  return v;
}
JsonValue JsonValue::make_string(std::string s) { JsonValue v; v.kind_ = Kind::string; v.string_ = std::move(s); return v; }
JsonValue JsonValue::make_array(std::vector<JsonValue> items) {
  JsonValue v; v.kind_ = Kind::array; v.array_ = std::move(items); return v;
}
JsonValue JsonValue::make_object(Members members) {
  JsonValue v; v.kind_ = Kind::object; v.object_ = std::move(members); return v;
}

namespace {

class Parser {
 public:
  Parser(std::string_view text, const std::string& what, JsonLimits limits)
      : text_(text), what_(what), limits_(limits) {}

  JsonValue parse_document() {
    JsonValue v = parse_value(0);
    skip_space();
    if (pos_ != text_.size()) fail("trailing ", found(), " after the JSON value");
    return v;
  }

 private:
  template <class... Parts>
  [[noreturn]] void fail(const Parts&... parts) const {
    CTC_FAIL(what_, ": invalid JSON at byte ", pos_, ": ", parts...);
  }

  std::string found() const {
    if (pos_ >= text_.size()) return "end of text";
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    char buf[16];
    if (c >= 0x20 && c < 0x7f) std::snprintf(buf, sizeof buf, "'%c'", c);
    else std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
    return buf;
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool peek_is(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  void expect(char c) {
    if (!peek_is(c)) fail("expected '", c, "', found ", found());
    ++pos_;
  }

  JsonValue parse_value(int depth) {
    skip_space();
    if (pos_ >= text_.size()) fail("expected a value, found end of text");
    char c = text_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= limits_.max_depth) fail("nesting deeper than ", limits_.max_depth, " levels");
      return c == '{' ? parse_object(depth + 1) : parse_array(depth + 1);
    }
    if (c == '"') return JsonValue::make_string(parse_string());
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    if (text_.substr(pos_, 4) == "true") { pos_ += 4; return JsonValue::make_bool(true); }
    if (text_.substr(pos_, 5) == "false") { pos_ += 5; return JsonValue::make_bool(false); }
    if (text_.substr(pos_, 4) == "null") { pos_ += 4; return JsonValue::make_null(); }
    fail("expected a value, found ", found());
  }

  JsonValue parse_object(int depth) {
    expect('{');
    JsonValue::Members members;
    skip_space();
    if (peek_is('}')) { ++pos_; return JsonValue::make_object(std::move(members)); }
    while (true) {
      skip_space();
      if (!peek_is('"')) fail("expected a string key, found ", found());
      std::size_t key_pos = pos_;
      std::string key = parse_string();
      for (const auto& m : members) {
        if (m.first == key) {
          pos_ = key_pos;
          fail("duplicate key ", json_quote(key));
        }
      }
      skip_space();
      expect(':');
      JsonValue value = parse_value(depth);
      members.emplace_back(std::move(key), std::move(value));
      skip_space();
      if (peek_is(',')) { ++pos_; continue; }
      if (peek_is('}')) { ++pos_; break; }
      fail("expected ',' or '}' in an object, found ", found());
    }
    return JsonValue::make_object(std::move(members));
  }

  JsonValue parse_array(int depth) {
    expect('[');
    std::vector<JsonValue> items;
    skip_space();
    if (peek_is(']')) { ++pos_; return JsonValue::make_array(std::move(items)); }
    while (true) {
      items.push_back(parse_value(depth));
      skip_space();
      if (peek_is(',')) { ++pos_; continue; }
      if (peek_is(']')) { ++pos_; break; }
      fail("expected ',' or ']' in an array, found ", found());
    }
    return JsonValue::make_array(std::move(items));
  }

  unsigned parse_hex4() {
    if (pos_ + 4 > text_.size()) { pos_ = text_.size(); fail("truncated \\u escape"); }
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else fail("expected a hex digit in \\u escape, found ", found());
      ++pos_;
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') { ++pos_; return out; }
      if (c < 0x20) fail("unescaped control character in a string, found ", found());
      if (c != '\\') { out += static_cast<char>(c); ++pos_; continue; }
      ++pos_;
      if (pos_ >= text_.size()) fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = parse_hex4();
          if (cp >= 0xd800 && cp < 0xdc00) {
            if (text_.substr(pos_, 2) != "\\u") fail("high surrogate without a low surrogate");
            pos_ += 2;
            unsigned lo = parse_hex4();
            if (lo < 0xdc00 || lo >= 0xe000) fail("high surrogate followed by \\u", lo);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          } else if (cp >= 0xdc00 && cp < 0xe000) {
            fail("lone low surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default: --pos_; fail("unknown escape, found ", found());
      }
    }
  }

  JsonValue parse_number() {
    std::size_t start = pos_;
    auto digit = [&] { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
    if (peek_is('-')) ++pos_;
    if (!digit()) fail("expected a digit, found ", found());
    if (text_[pos_] == '0') {
      ++pos_;
      if (digit()) fail("leading zero in a number");
    } else {
      while (digit()) ++pos_;
    }
    bool integral = true;
    if (peek_is('.')) {
      integral = false;
      ++pos_;
      if (!digit()) fail("expected a digit after '.', found ", found());
      while (digit()) ++pos_;
    }
    if (peek_is('e') || peek_is('E')) {
      integral = false;
      ++pos_;
      if (peek_is('+') || peek_is('-')) ++pos_;
      if (!digit()) fail("expected a digit in the exponent, found ", found());
      while (digit()) ++pos_;
    }
    std::string token(text_.substr(start, pos_ - start));
    if (integral) {
      errno = 0;
      char* end = nullptr;
      long long i = std::strtoll(token.c_str(), &end, 10);
      if (errno == 0 && end == token.c_str() + token.size()) return JsonValue::make_integer(i);
    }
    double d = std::strtod(token.c_str(), nullptr);
    if (!std::isfinite(d)) { pos_ = start; fail("number ", token, " is out of range"); }
    return JsonValue::make_number(d);
  }

  std::string_view text_;
  const std::string& what_;
  JsonLimits limits_;
  std::size_t pos_ = 0;
};

}  // namespace

JsonValue json_parse(std::string_view text, const std::string& what, JsonLimits limits) {
  return Parser(text, what, limits).parse_document();
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace ctcscope
