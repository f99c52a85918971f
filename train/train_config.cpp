// TrainConfig as JSON, and its checks, both following the option table.
#include "train/train_config.h"

#include "base/error.h"
#include "base/json.h"
#include "train/enum_names.h"
#include "train/train_options.h"

namespace ctcscope {

namespace {

constexpr EnumName<LrScheduleKind> kLrScheduleNames[] = {{LrScheduleKind::constant, "constant"},
                                                         {LrScheduleKind::cosine, "cosine"}};
constexpr EnumName<ClassWeighting> kClassWeightingNames[] = {{ClassWeighting::none, "none"},
                                                             {ClassWeighting::balanced, "balanced"}};

std::string json_value(const TrainOption& o, const TrainConfig& c) {
  return o.type == OptionType::text ? json_quote(o.get(c)) : o.get(c);
}

bool in_identity(const TrainOption& o, const TrainConfig& c) {
  return o.identity && !(o.before_the_key && o.get(c) == o.before_the_key);
}

std::string json_object(const TrainConfig& c, bool identity_only) {
  std::string out = "{\n";
  bool first = true;
  for (const TrainOption& o : train_options()) {
    if (identity_only && !in_identity(o, c)) continue;
    out.append(first ? "" : ",\n").append("  ").append(json_quote(o.key)).append(": ").append(json_value(o, c));
    first = false;
  }
  return out.append("\n}\n");
}

// The JSON member as the option's flag would spell it.
std::string json_text(const TrainOption& o, const JsonValue& m, const std::string& what) {
  switch (o.type) {
    case OptionType::text:
      CTC_CHECK(m.is_string(), what, ": '", o.key, "' must be a string");
      return m.as_string();
    case OptionType::integer:
      CTC_CHECK(m.is_integer(), what, ": '", o.key, "' must be an integer");
      return std::to_string(m.as_integer());
    case OptionType::real:
      break;
  }
  CTC_CHECK(m.is_number(), what, ": '", o.key, "' must be a number");
  return option_number(m.as_number());
}

}  // namespace

const char* lr_schedule_name(LrScheduleKind kind) { return enum_name(kLrScheduleNames, kind); }
LrScheduleKind lr_schedule_from_name(const std::string& name) { return enum_from_name(kLrScheduleNames, name); }
const char* class_weighting_name(ClassWeighting weighting) { return enum_name(kClassWeightingNames, weighting); }
ClassWeighting class_weighting_from_name(const std::string& name) {
  return enum_from_name(kClassWeightingNames, name);
}

void TrainConfig::validate() const {
  TrainConfig checked = *this;
  for (const TrainOption& o : train_options()) {
    try {
      o.set(checked, o.get(*this));
    } catch (const Error& e) {
      CTC_FAIL(o.key, ": ", e.what());
    }
  }
}

std::string TrainConfig::to_json() const { return json_object(*this, false); }
std::string TrainConfig::identity_json() const { return json_object(*this, true); }

TrainConfig train_config_from_json(const std::string& text, const std::string& what) {
  return train_config_from_json(json_parse(text, what), what);
}

TrainConfig train_config_from_json(const JsonValue& v, const std::string& what) {
  CTC_CHECK(v.is_object(), what, ": expected a JSON object");
  TrainConfig c;
  for (const TrainOption& o : train_options()) {
    const JsonValue* m = v.find(o.key);
    CTC_CHECK(m || o.before_the_key, what, ": missing '", o.key, "'");
    const std::string value = m ? json_text(o, *m, what) : o.before_the_key;
    try {
      o.set(c, value);
    } catch (const Error& e) {
      CTC_FAIL(what, ": '", o.key, "': ", e.what());
    }
  }
  return c;
}

}  // namespace ctcscope
