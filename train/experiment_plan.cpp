// The grid's runs, and plan.json written and read back.
#include "train/experiment_plan.h"

#include <algorithm>
#include <map>

#include "base/error.h"
#include "base/file_util.h"
#include "base/json.h"
#include "base/json_writer.h"
#include "models/registry.h"
#include "train/enum_names.h"
#include "train/run_folder.h"
#include "train/train_options.h"
#include "train/weights_files.h"

namespace ctcscope {

namespace {

// Table 2's architectures, in the paper's order.
const char* const kPaperArchitectures[] = {"densenet121", "efficientnet_b4", "resnet50", "resnet34"};

constexpr EnumName<ExperimentGrid> kGridNames[] = {{ExperimentGrid::ablations, "ablations"},
                                                    {ExperimentGrid::architectures, "architectures"}};

const std::string kSoftwareVersion = std::string("ctcscope ").append(CTC_VERSION);

std::string folder_name(const TrainConfig& c) {
  return c.model + "_" + ablation_name(c.ablation) + "_seed" + std::to_string(c.seed);
}

// (model, ablation) in the grid's order.
std::vector<std::pair<std::string, Ablation>> grid_configurations(const ExperimentOptions& o,
                                                                  std::vector<std::string>& notes) {
  std::vector<std::pair<std::string, Ablation>> configs;
  if (o.grid == ExperimentGrid::ablations) {
    for (Ablation a : o.ablations.empty() ? all_ablations() : o.ablations) configs.emplace_back(o.base.model, a);
    return configs;
  }
  std::vector<std::string> models = o.models;
  if (models.empty()) {
    for (const char* m : kPaperArchitectures) {
      if (is_model_name(m)) models.emplace_back(m);
      else notes.push_back(std::string(m) + ": not built by this version's registry, left out of the grid");
    }
  }
  for (const auto& m : models) {
    CTC_CHECK_INPUT(is_model_name(m), "unknown model '", m, "' (see ctcscope models)");
    configs.emplace_back(m, kDefaultAblation);
  }
  return configs;
}

// The config as JSON members through the option table (as config.json holds it).
void write_config(JsonWriter& w, const TrainConfig& c) {
  w.begin_object();
  for (const TrainOption& o : train_options()) {
    w.key(o.key);
    const std::string v = o.get(c);
    switch (o.type) {
      case OptionType::text: w.string(v); break;
      case OptionType::integer: w.integer(std::stoll(v)); break;
      case OptionType::real: w.number(std::stod(v)); break;
    }
  }
  w.end_object();
}

const JsonValue& member(const JsonValue& v, const char* key, JsonValue::Kind kind, const std::string& path) {
  const JsonValue* m = v.is_object() ? v.find(key) : nullptr;
  CTC_CHECK_INPUT(m && m->kind() == kind, path, ": missing ", JsonValue::kind_name(kind), " '", key, "'");
  return *m;
}

}  // namespace

const char* experiment_grid_name(ExperimentGrid grid) { return enum_name(kGridNames, grid); }
ExperimentGrid experiment_grid_from_name(const std::string& name) { return enum_from_name(kGridNames, name); }

ExperimentPlan plan_experiment(const ExperimentOptions& o) {
  CTC_CHECK_INPUT(o.seeds >= 1, "experiment needs at least 1 seed");
  ExperimentPlan plan;
  plan.grid = o.grid;
  plan.seeds = o.seeds;
  plan.model = o.base.model;
  const auto configs = grid_configurations(o, plan.notes);
  std::vector<std::string> grid_models;
  for (const auto& [model, ablation] : configs) {
    if (std::find(grid_models.begin(), grid_models.end(), model) == grid_models.end()) grid_models.push_back(model);
  }
  const std::map<std::string, std::string> weights = weights_files(o.base.weights, grid_models);
  for (const auto& [model, ablation] : configs) {
    for (std::int64_t s = 0; s < o.seeds; ++s) {
      PlannedRun r;
      r.config = o.base;
      r.config.model = model;
      const auto w = weights.find(model);
      r.config.weights = w == weights.end() ? "" : w->second;
      r.config.ablation = ablation;
      r.config.seed = static_cast<std::uint64_t>(s);
      r.folder = folder_name(r.config);
      for (const auto& earlier : plan.runs) {
        CTC_CHECK_INPUT(earlier.folder != r.folder, "the grid has the run ", r.folder,
                        " twice (--models or --ablations names something twice)");
      }
      r.config.out_dir = o.out_dir + "/" + r.folder;
      plan.runs.push_back(r);
    }
  }
  return plan;
}

std::string plan_path(const std::string& experiment_dir) { return experiment_dir + "/plan.json"; }

void write_plan(const std::string& experiment_dir, const ExperimentPlan& plan) {
  JsonWriter w;
  w.begin_object();
  w.key("format").integer(kPlanFormat);
  w.key("software_version").string(kSoftwareVersion);
  w.key("grid").string(experiment_grid_name(plan.grid));
  w.key("seeds").integer(plan.seeds);
  w.key("model").string(plan.model);
  w.key("notes").begin_array();
  for (const auto& n : plan.notes) w.string(n);
  w.end_array();
  w.key("runs").begin_array();
  for (std::size_t k = 0; k < plan.runs.size(); ++k) {
    w.begin_object();
    w.key("index").integer(k);
    w.key("folder").string(plan.runs[k].folder);
    w.key("config");
    write_config(w, plan.runs[k].config);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  write_file_atomic(plan_path(experiment_dir), w.str());
}

ExperimentPlan read_plan(const std::string& experiment_dir) {
  using Kind = JsonValue::Kind;
  const std::string path = plan_path(experiment_dir);
  CTC_CHECK_INPUT(file_exists(path), path, ": no plan here (write one with ctcscope experiment DATASET_DIR --out ",
                  experiment_dir, " ... --plan)");
  const JsonValue v = json_parse(read_file_bytes(path), path);
  const std::int64_t format = member(v, "format", Kind::number, path).as_integer();
  const std::string version = member(v, "software_version", Kind::string, path).as_string();
  CTC_CHECK_INPUT(format == kPlanFormat && version == kSoftwareVersion, path, ": written by ", version,
                  " (plan format ", format, "); this is ", kSoftwareVersion, " (plan format ", kPlanFormat,
                  "): plan the grid again with this version (... --plan), or run it with the version that planned it");
  ExperimentPlan plan;
  try {
    plan.grid = experiment_grid_from_name(member(v, "grid", Kind::string, path).as_string());
  } catch (const Error& e) {
    CTC_FAIL(path, ": 'grid' ", e.what());
  }
  plan.seeds = member(v, "seeds", Kind::number, path).as_integer();
  plan.model = member(v, "model", Kind::string, path).as_string();
  for (const JsonValue& n : member(v, "notes", Kind::array, path).as_array()) plan.notes.push_back(n.as_string());
  for (const JsonValue& r : member(v, "runs", Kind::array, path).as_array()) {
    const std::string what = path + ": run " + std::to_string(plan.runs.size());
    PlannedRun run;
    run.folder = member(r, "folder", Kind::string, what).as_string();
    CTC_CHECK_INPUT(!run.folder.empty() && run.folder.find('/') == std::string::npos && run.folder[0] != '.', what,
                    ": 'folder' must be a plain folder name, got '", run.folder, "'");
    run.config = train_config_from_json(member(r, "config", Kind::object, what), what);
    run.config.out_dir = experiment_dir + "/" + run.folder;
    plan.runs.push_back(run);
  }
  CTC_CHECK_INPUT(!plan.runs.empty(), path, ": the plan has no runs");
  return plan;
}

}  // namespace ctcscope
