// TrainConfig as JSON, and its checks.
#include "train/train_config.h"

#include <sstream>
#include <vector>

#include "models/registry.h"
#include "base/error.h"
#include "base/json.h"

namespace ctcscope {

namespace {

struct Field {
  std::string key, json;
  bool identity;
};

std::string number(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

std::vector<Field> fields_of(const TrainConfig& c) {
  return {
      {"dataset_dir", json_quote(c.dataset_dir), false},
      {"out_dir", json_quote(c.out_dir), false},
      {"model", json_quote(c.model), true},
      {"ablation", json_quote(ablation_name(c.ablation)), true},
      {"augment_mode", json_quote(augment_mode_name(c.augment_mode)), true},
      {"epochs", std::to_string(c.epochs), false},
      {"batch", std::to_string(c.batch), true},
      {"lr", number(c.lr), true},
      {"weight_decay", number(c.weight_decay), true},
      {"lr_schedule", json_quote(c.lr_schedule), true},
      {"input_size", std::to_string(c.input_size), true},
      {"intensity", json_quote(c.intensity), true},
      {"seed", std::to_string(c.seed), true},
      {"split_seed", std::to_string(c.split_seed), true},
      {"weights", json_quote(c.weights), true},
      {"split", json_quote(c.split), true},
      {"class_weights", json_quote(c.class_weights), true},
      {"patience", std::to_string(c.patience), false},
      {"max_cells", std::to_string(c.max_cells), true},
      {"device", json_quote(device_name(c.device)), true},
      {"loader_threads", std::to_string(c.loader_threads), false},
  };
}

std::string join(const std::vector<Field>& fields, bool identity_only) {
  std::string out = "{\n";
  bool first = true;
  for (const auto& f : fields) {
    if (identity_only && !f.identity) continue;
    out.append(first ? "" : ",\n").append("  ").append(json_quote(f.key)).append(": ").append(f.json);
    first = false;
  }
  return out.append("\n}\n");
}

}  // namespace

void TrainConfig::validate() const {
  CTC_CHECK(is_model_name(model), "unknown model '", model, "' (see ctcscope models)");
  CTC_CHECK(epochs >= 1, "epochs must be at least 1, got ", epochs);
  CTC_CHECK(batch >= 1, "batch must be at least 1, got ", batch);
  CTC_CHECK(lr > 0 && lr < 10, "lr must be in (0, 10), got ", lr);
  CTC_CHECK(weight_decay >= 0, "weight_decay must be >= 0, got ", weight_decay);
  CTC_CHECK(lr_schedule == "constant" || lr_schedule == "cosine", "lr schedule must be constant or cosine, got '",
            lr_schedule, "'");
  (void)parse_intensity(intensity);
  CTC_CHECK(input_size >= 32 && input_size <= 1024, "input size must be in [32, 1024], got ", input_size);
  CTC_CHECK(class_weights == "none" || class_weights == "balanced", "class weights must be none or balanced, got '",
            class_weights, "'");
  CTC_CHECK(!split.empty(), "split must be paper, stratified or a split CSV file");
  CTC_CHECK(patience >= 0, "patience must be >= 0, got ", patience);
  CTC_CHECK(max_cells >= 0, "max cells must be >= 0, got ", max_cells);
  CTC_CHECK(loader_threads >= 1, "loader threads must be at least 1");
}

std::string TrainConfig::to_json() const { return join(fields_of(*this), false); }
std::string TrainConfig::identity_json() const { return join(fields_of(*this), true); }

TrainConfig train_config_from_json(const std::string& text, const std::string& what) {
  JsonValue v = json_parse(text, what);
  CTC_CHECK(v.is_object(), what, ": expected a JSON object");
  auto str = [&](const char* key) -> std::string {
    const JsonValue* m = v.find(key);
    CTC_CHECK(m && m->is_string(), what, ": missing string '", key, "'");
    return m->as_string();
  };
  auto num = [&](const char* key) -> double {
    const JsonValue* m = v.find(key);
    CTC_CHECK(m && m->is_number(), what, ": missing number '", key, "'");
    return m->as_number();
  };
  auto integer = [&](const char* key) -> std::int64_t {
    const JsonValue* m = v.find(key);
    CTC_CHECK(m && m->is_integer(), what, ": missing integer '", key, "'");
    return m->as_integer();
  };
  TrainConfig c;
  c.dataset_dir = str("dataset_dir");
  c.out_dir = str("out_dir");
  c.model = str("model");
  c.ablation = ablation_from_name(str("ablation"));
  c.augment_mode = augment_mode_from_name(str("augment_mode"));
  c.epochs = integer("epochs");
  c.batch = integer("batch");
  c.lr = num("lr");
  c.weight_decay = num("weight_decay");
  c.lr_schedule = str("lr_schedule");
  c.input_size = integer("input_size");
  // Runs from before the intensity stage read samples as decoded.
  c.intensity = v.find("intensity") ? str("intensity") : "none";
  c.seed = static_cast<std::uint64_t>(integer("seed"));
  c.split_seed = static_cast<std::uint64_t>(integer("split_seed"));
  c.weights = str("weights");
  c.split = str("split");
  c.class_weights = str("class_weights");
  c.patience = integer("patience");
  c.max_cells = integer("max_cells");
  const std::string device = str("device");
  CTC_CHECK(device == "cpu" || device == "cuda", what, ": unknown device '", device, "'");
  c.device = device == "cpu" ? Device::cpu : Device::cuda;
  c.loader_threads = integer("loader_threads");
  return c;
}

}  // namespace ctcscope
