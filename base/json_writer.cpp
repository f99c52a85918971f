// JSON writing with the separators, indentation and escapes in one place.
#include "base/json_writer.h"

#include <charconv>
#include <cmath>

#include "base/error.h"
#include "base/json.h"

namespace ctcscope {

bool JsonWriter::inline_here() const {
  if (layout_ == Layout::compact) return true;
  for (const Level& l : open_) {
    if (!l.is_object) return true;
  }
  return false;
}

void JsonWriter::newline_indent(std::size_t depth) {
  if (inline_here()) return;
  out_ += '\n';
  out_.append(2 * depth, ' ');
}

void JsonWriter::before_value() {
  if (open_.empty()) {
    CTC_CHECK(out_.empty(), "JsonWriter: a second value at the top level");
    return;
  }
  Level& level = open_.back();
  if (level.is_object) {
    CTC_CHECK(key_pending_, "JsonWriter: a value in an object without a key");
    key_pending_ = false;
    return;
  }
  if (level.members++ > 0) out_ += inline_here() && layout_ == Layout::pretty ? ", " : ",";
}

JsonWriter& JsonWriter::key(std::string_view name) {
  CTC_CHECK(!open_.empty() && open_.back().is_object && !key_pending_, "JsonWriter: key '", name,
            "' outside an object or after another key");
  Level& level = open_.back();
  if (level.members++ > 0) out_ += ',';
  if (!inline_here()) {
    newline_indent(open_.size());
  } else if (layout_ == Layout::pretty && level.members > 1) {
    out_ += ' ';
  }
  out_ += json_quote(name);
  out_ += layout_ == Layout::pretty ? ": " : ":";
  key_pending_ = true;
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view token) {
  before_value();
  out_ += token;
  return *this;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  open_.push_back({true, 0});
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  CTC_CHECK(!open_.empty() && open_.back().is_object && !key_pending_, "JsonWriter: end_object without its object");
  const bool had_members = open_.back().members > 0;
  open_.pop_back();
  if (had_members) newline_indent(open_.size());
  out_ += '}';
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  open_.push_back({false, 0});
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  CTC_CHECK(!open_.empty() && !open_.back().is_object, "JsonWriter: end_array without its array");
  open_.pop_back();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view s) { return raw(json_quote(s)); }

JsonWriter& JsonWriter::number(double v) {
  if (!std::isfinite(v)) return null();
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  CTC_CHECK(ec == std::errc(), "JsonWriter: cannot format ", v);
  return raw(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

std::string JsonWriter::str() const {
  CTC_CHECK(open_.empty() && !out_.empty(), "JsonWriter: the document is unfinished");
  return layout_ == Layout::pretty ? out_ + "\n" : out_;
}

}  // namespace ctcscope
