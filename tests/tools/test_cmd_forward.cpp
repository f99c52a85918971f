// ctcscope forward end to end on a tiny problem (ResNet18, 3 classes, 32x32):
// the logits and the training step's loss, gradients and updated weights are
// what the library computes directly; usage errors are UsageError.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>

#include "layers/cross_entropy_loss.h"
#include "models/resnet.h"
#include "optim/adamw.h"
#include "tensor/random.h"
#include "formats/state_dict.h"
#include "tests/support/test_util.h"
#include "tools/commands.h"

namespace ctcscope::cli {
namespace {

struct Files {
  // One folder per test and process: ctest runs these tests in parallel.
  std::filesystem::path dir = ::ctcscope::test::scratch_root() /
                              ("ctcscope_test_cmd_forward_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  std::string weights, input, output;
  Files() {
    std::filesystem::create_directories(dir);
    weights = (dir / "weights.safetensors").string();
    input = (dir / "input.safetensors").string();
    output = (dir / "output.safetensors").string();
  }
};

StateDict state_of(Module& m) {
  StateDict out;
  for (auto& [name, t] : m.state_dict()) out.push_back({name, t->clone()});
  return out;
}

std::map<std::string, Tensor> read_map(const std::string& path) {
  std::map<std::string, Tensor> out;
  for (auto& e : read_safetensors(path).tensors) out[e.name] = e.tensor;
  return out;
}

Tensor input_x() { return random_normal({2, 3, 32, 32}, Seed{"cmd_forward.x", 0}); }
Tensor labels() { return Tensor::from_vector(std::vector<std::int64_t>{2, 0}, {2}); }

TEST(CmdForward, EvalLogitsMatchTheLibrary) {
  Files f;
  ResNet model(kResNet18, 3, 7);
  write_safetensors(f.weights, state_of(model));
  write_safetensors(f.input, {{"input", input_x()}});
  ASSERT_EQ(run_forward({"--model", "resnet18", "--weights", f.weights, "--input", f.input, "--output", f.output,
                         "--threads", "1"}),
            0);
  model.eval();
  auto out = read_map(f.output);
  EXPECT_EQ(out.at("logits").to_double_vector(), model.forward(input_x()).to_double_vector());
}

TEST(CmdForward, TrainStepWritesLossGradientsAndWeights) {
  Files f;
  ResNet model(kResNet18, 3, 7);
  write_safetensors(f.weights, state_of(model));
  write_safetensors(f.input, {{"input", input_x()}, {"labels", labels()}});
  ASSERT_EQ(run_forward({"--model", "resnet18", "--weights", f.weights, "--input", f.input, "--output", f.output,
                         "--train-step", "--lr", "0.01", "--threads", "1"}),
            0);
  auto out = read_map(f.output);

  model.train();
  AdamWOptions o;
  o.lr = 0.01;
  AdamW opt(model.named_parameters(), o);
  CrossEntropyLoss ce;
  const double loss = ce.forward(model.forward(input_x()), labels());
  model.backward(ce.backward());
  EXPECT_FLOAT_EQ(static_cast<float>(out.at("loss").item()), static_cast<float>(loss));
  std::size_t grads = 0;
  for (auto& [name, p] : model.named_parameters()) {
    ASSERT_TRUE(out.count("grad." + name)) << name;
    EXPECT_EQ(out.at("grad." + name).to_double_vector(), p->grad.to_double_vector()) << name;
    ++grads;
  }
  opt.step();
  for (auto& [name, p] : model.named_parameters()) {
    EXPECT_EQ(out.at("param." + name).to_double_vector(), p->value.to_double_vector()) << name;
  }
  EXPECT_EQ(out.size(), 2 + 2 * grads);  // logits, loss, grad.*, param.*
}

TEST(CmdForward, FreshModelFromSeedAndNewHead) {
  Files f;
  write_safetensors(f.input, {{"input", input_x()}});
  ASSERT_EQ(run_forward({"--model", "resnet18", "--classes", "4", "--seed", "3", "--input", f.input, "--output",
                         f.output, "--threads", "1"}),
            0);
  ResNet fresh(kResNet18, 4, 3);
  fresh.eval();
  EXPECT_EQ(read_map(f.output).at("logits").to_double_vector(), fresh.forward(input_x()).to_double_vector());

  // A 3-class file asked for 4 classes: the body is the file's, the head new from --seed.
  ResNet three(kResNet18, 3, 7);
  write_safetensors(f.weights, state_of(three));
  ASSERT_EQ(run_forward({"--model", "resnet18", "--weights", f.weights, "--classes", "4", "--seed", "3", "--input",
                         f.input, "--output", f.output, "--threads", "1"}),
            0);
  EXPECT_EQ(read_map(f.output).at("logits").size(1), 4);
}

TEST(CmdForward, UsageErrors) {
  Files f;
  write_safetensors(f.input, {{"x", input_x()}});
  EXPECT_THROW(run_forward({"--model", "resnet18", "--output", f.output}), UsageError);
  EXPECT_THROW(run_forward({"--model", "resnet99", "--input", f.input, "--output", f.output}), UsageError);
  EXPECT_THROW(run_forward({"--model", "resnet18", "--classes", "4", "--input", f.input, "--output", f.output}),
               UsageError);  // no tensor named "input"
  write_safetensors(f.input, {{"input", input_x()}});
  EXPECT_THROW(run_forward({"--model", "resnet18", "--classes", "4", "--input", f.input, "--output", f.output,
                            "--train-step"}),
               UsageError);  // no labels
}

}  // namespace
}  // namespace ctcscope::cli
