// The table of training options, and the parsers its rows are made of.
#include "train/train_options.h"

#include <charconv>
#include <climits>
#include <sstream>

#include "base/error.h"

#include "models/registry.h"
#include "train/enum_names.h"

namespace ctcscope {

namespace {

template <class T>
using Member = T TrainConfig::*;

// What every row says about itself; the builders below add get and set.
struct About {
  const char* key;
  const char* flag;
  const char* value_name;
  OptionCommands commands;
  bool identity;
  std::string help;
  const char* before_the_key = nullptr;  // TrainOption::before_the_key
};

TrainOption row(const About& a, OptionType type) {
  TrainOption o;
  o.key = a.key;
  o.flag = a.flag;
  o.value_name = a.value_name;
  o.type = type;
  o.commands = a.commands;
  o.identity = a.identity;
  o.help = a.help;
  o.before_the_key = a.before_the_key;
  return o;
}

std::int64_t parse_integer(const std::string& text, std::int64_t min, std::int64_t max) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) CTC_FAIL("must be an integer, got '", text, "'");
  if (v < min || v > max) CTC_FAIL("must be in [", min, ", ", max, "], got ", v);
  return v;
}

double parse_real(const std::string& text, double min, double max) {
  double v = 0;
  std::size_t used = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size()) CTC_FAIL("must be a number, got '", text, "'");
  if (!(v >= min && v <= max)) CTC_FAIL("must be in [", min, ", ", max, "], got ", v);
  return v;
}

TrainOption integer(Member<std::int64_t> m, std::int64_t min, std::int64_t max, const About& a) {
  TrainOption o = row(a, OptionType::integer);
  o.get = [m](const TrainConfig& c) { return std::to_string(c.*m); };
  o.set = [m, min, max](TrainConfig& c, const std::string& v) { c.*m = parse_integer(v, min, max); };
  return o;
}

TrainOption seed(Member<std::uint64_t> m, const About& a) {
  TrainOption o = row(a, OptionType::integer);
  o.get = [m](const TrainConfig& c) { return std::to_string(c.*m); };
  o.set = [m](TrainConfig& c, const std::string& v) {
    c.*m = static_cast<std::uint64_t>(parse_integer(v, 0, INT64_MAX));
  };
  return o;
}

TrainOption real(Member<double> m, double min, double max, const About& a) {
  TrainOption o = row(a, OptionType::real);
  o.get = [m](const TrainConfig& c) { return option_number(c.*m); };
  o.set = [m, min, max](TrainConfig& c, const std::string& v) { c.*m = parse_real(v, min, max); };
  return o;
}

// `check` throws Error on a bad value; null: any text.
TrainOption text(Member<std::string> m, void (*check)(const std::string&), const About& a) {
  TrainOption o = row(a, OptionType::text);
  o.get = [m](const TrainConfig& c) { return c.*m; };
  o.set = [m, check](TrainConfig& c, const std::string& v) {
    if (check) check(v);
    c.*m = v;
  };
  return o;
}

// true or false (also 1 or 0): --deterministic true, or --deterministic=true.
TrainOption boolean(Member<bool> m, const About& a) {
  TrainOption o = row(a, OptionType::text);
  o.get = [m](const TrainConfig& c) { return std::string(c.*m ? "true" : "false"); };
  o.set = [m](TrainConfig& c, const std::string& v) {
    CTC_CHECK(v == "true" || v == "false" || v == "1" || v == "0", "must be true or false, got '", v, "'");
    c.*m = v == "true" || v == "1";
  };
  return o;
}

template <class E>
TrainOption choice(Member<E> m, const char* (*name)(E), E (*from_name)(const std::string&), const About& a) {
  TrainOption o = row(a, OptionType::text);
  o.get = [m, name](const TrainConfig& c) { return std::string(name(c.*m)); };
  o.set = [m, from_name](TrainConfig& c, const std::string& v) { c.*m = from_name(v); };
  return o;
}

void check_model(const std::string& name) {
  if (!is_model_name(name)) CTC_FAIL("unknown model '", name, "' (see ctcscope models)");
}
void check_split(const std::string& split) {
  if (split.empty()) CTC_FAIL("must be paper, stratified or a split CSV file");
}
void check_intensity(const std::string& spec) { (void)parse_intensity(spec); }

constexpr EnumName<Device> kDeviceNames[] = {{Device::cpu, "cpu"}, {Device::cuda, "cuda"}};
Device device_from_name(const std::string& name) { return enum_from_name(kDeviceNames, name); }

// Fine-tuning takes the paper's rate; from scratch it barely moves.
TrainOption default_lr(TrainOption o) {
  o.default_from_others = [](TrainConfig& c) { c.lr = c.weights.empty() ? kScratchLr : kFineTuneLr; };
  o.default_help = "1e-7 with --weights, 1e-3 from scratch";
  return o;
}

// A default the help spells shorter than its 17 digits (0.95, not 0.94999999999999996).
TrainOption shown_default(TrainOption o, const char* text) {
  o.default_help = text;
  return o;
}

constexpr auto kBoth = OptionCommands::train_and_experiment;
constexpr auto kTrain = OptionCommands::train_only;
constexpr auto kNone = OptionCommands::none;

std::vector<TrainOption> make_table() {
  // Runs from before the image options read samples as decoded, gray, from one-page files.
  std::vector<TrainOption> t = {
      text(&TrainConfig::dataset_dir, nullptr, {"dataset_dir", "", "", kNone, false, ""}),
      text(&TrainConfig::out_dir, nullptr, {"out_dir", "", "", kNone, false, ""}),
      text(&TrainConfig::model, check_model,
           {"model", "model", "NAME", kBoth, true,
            "architecture (see ctcscope models); experiment: of the ablations grid"}),
      choice(&TrainConfig::ablation, ablation_name, ablation_from_name,
             {"ablation", "ablation", "NAME", kTrain, true,
              "training-set expansion: AUG1 AUG2 BF_noDAPI BF_DAPI_noAUG BF_DAPI DAPI_noBF DAPI_BF"}),
      choice(&TrainConfig::augment_mode, augment_mode_name, augment_mode_from_name,
             {"augment_mode", "augment", "MODE", kBoth, true,
              "offline (fixed augmented copies, the paper) or online (fresh each epoch)"}),
      integer(&TrainConfig::epochs, 1, 100000, {"epochs", "epochs", "N", kBoth, false, "epochs at most per run"}),
      integer(&TrainConfig::batch, 1, 4096, {"batch", "batch", "N", kBoth, true, "images per step"}),
      default_lr(real(&TrainConfig::lr, 1e-12, 10.0, {"lr", "lr", "RATE", kBoth, true, "AdamW learning rate"})),
      real(&TrainConfig::weight_decay, 0.0, 10.0,
           {"weight_decay", "weight-decay", "W", kBoth, true, "AdamW weight decay"}),
      choice(&TrainConfig::lr_schedule, lr_schedule_name, lr_schedule_from_name,
             {"lr_schedule", "lr-schedule", "NAME", kBoth, true, "constant or cosine (to 0 at the last step)"}),
      integer(&TrainConfig::input_size, 32, 1024,
              {"input_size", "input", "PIXELS", kBoth, true, "network input height = width"}),
      text(&TrainConfig::intensity, check_intensity,
           {"intensity", "intensity", "MODE", kBoth, true,
            "how image samples map to [0, 1]: percentile[:LO:HI] (per image, default 1:99.8), dataset[:LO:HI] "
            "(per channel over the training cells), range:LO:HI (fixed counts, e.g. range:0:4095 for a 12-bit "
            "camera), none (count / max of the bit depth)",
            "none"}),
      choice(&TrainConfig::bf_channel, channel_pick_name, channel_pick_from_name,
             {"bf_channel", "bf-channel", "NAME", kBoth, true,
              "gray, red, green or blue: the colour channel of the BF files (gray: their luminance)", "gray"}),
      choice(&TrainConfig::dapi_channel, channel_pick_name, channel_pick_from_name,
             {"dapi_channel", "dapi-channel", "NAME", kBoth, true,
              "gray, red, green or blue: the colour channel of the DAPI files (a DAPI exported in blue: blue)",
              "gray"}),
      integer(&TrainConfig::bf_page, -1, INT_MAX,
              {"bf_page", "bf-page", "N", kBoth, true, "the page of multi-page BF TIFFs (-1: one page per file)", "-1"}),
      integer(&TrainConfig::dapi_page, -1, INT_MAX,
              {"dapi_page", "dapi-page", "N", kBoth, true,
               "the page of multi-page DAPI TIFFs (-1: one page per file)", "-1"}),
      seed(&TrainConfig::seed, {"seed", "seed", "N", kTrain, true,
                                "seed of the weights, the data order and the augmentation"}),
      seed(&TrainConfig::split_seed,
           {"split_seed", "split-seed", "N", kBoth, true,
            "seed of the split and of --max-cells (fixed across seeds, as the paper)"}),
      text(&TrainConfig::weights, nullptr,
           {"weights", "weights", "FILE|DIR|LIST", kBoth, true,
            "ImageNet weights to start from, head replaced: FILE (.pth or .safetensors), DIR (each model's "
            "file in it by its torchvision name) or MODEL=FILE,...; none: from scratch"}),
      text(&TrainConfig::split, check_split,
           {"split", "split", "KIND", kBoth, true, "paper, stratified, or a cell_id,split CSV file"}),
      choice(&TrainConfig::class_weights, class_weighting_name, class_weighting_from_name,
             {"class_weights", "class-weights", "KIND", kBoth, true,
              "none or balanced (n / (2 * count) per class)"}),
      // Identity: best.safetensors holds thresholds for the target it was saved with.
      shown_default(real(&TrainConfig::target_sensitivity, 0.01, 1.0,
                         {"target_sensitivity", "target-sensitivity", "S", kBoth, true,
                          "the CTC sensitivity to choose a threshold for on the validation split (stored in the "
                          "checkpoint; predict calls at it)",
                          "0.94999999999999996"}),
                    "0.95"),
      integer(&TrainConfig::patience, 0, 100000,
              {"patience", "patience", "N", kBoth, false,
               "stop after N epochs without a better validation macro F1 (0: never)"}),
      integer(&TrainConfig::max_cells, 0, INT64_MAX,
              {"max_cells", "max-cells", "N", kBoth, true,
               "a stratified seeded subsample of N cells, for quick CPU runs (0: all)"}),
      choice(&TrainConfig::device, device_name, device_from_name,
             {"device", "device", "NAME", kBoth, true,
              "cpu, or cuda: train on the GPU (a build with the CUDA backend)"}),
      boolean(&TrainConfig::deterministic,
              {"deterministic", "deterministic", "true|false", kBoth, true,
               "GPU: deterministic cuDNN algorithms and fixed-order sums, the same bits run after run (slower)",
               "false"}),
      integer(&TrainConfig::loader_threads, 1, 1024, {"loader_threads", "", "", kNone, false, ""}),
      text(&TrainConfig::profile, nullptr,
           {"profile", "profile", "FILE.csv", kTrain, false,
            "per-layer profile (forward and backward time, FLOPs, bytes, GFLOP/s, % of peak) of steps 2-11 "
            "of the first epoch: the table printed, the CSV written to FILE.csv (empty: no profile)",
            ""}),
  };
  return t;
}

}  // namespace

std::string option_number(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

const std::vector<TrainOption>& train_options() {
  static const std::vector<TrainOption> table = make_table();
  return table;
}

}  // namespace ctcscope
