// A tiny generated dataset shared by the train tests: made once per test
// program in a temporary folder, with a small ResNet18 configuration that
// trains an epoch in about a second on an idle core.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "data/synth.h"
#include "train/train_config.h"
#include "tests/support/test_util.h"

namespace ctcscope::test {

inline std::string tiny_dataset() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    const fs::path d = ::ctcscope::test::scratch_root() / "ctc_test_train" / "data";
    fs::remove_all(d);
    SynthOptions o;
    o.spike_in = 24;
    o.patient_ctc = 4;
    o.patients = 2;
    o.leukocytes = 28;
    o.seed = 3;
    synth_dataset(d.string(), o);
    return d.string();
  }();
  return dir;
}

inline std::string fresh_run_dir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path d = fs::path(tiny_dataset()).parent_path() / name;
  fs::remove_all(d);
  return d.string();
}

inline TrainConfig tiny_config(const std::string& out_dir) {
  TrainConfig c;
  c.dataset_dir = tiny_dataset();
  c.out_dir = out_dir;
  c.model = "resnet18";
  c.ablation = Ablation::bf_dapi_no_aug;
  c.epochs = 2;
  c.batch = 8;
  c.lr = 1e-3;
  c.input_size = 32;
  c.seed = 1;
  c.patience = 0;
  return c;
}

}  // namespace ctcscope::test
