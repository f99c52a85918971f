// The demo training run.
#include "tools/demo_train.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "layers/cross_entropy_loss.h"
#include "models/registry.h"
#include "optim/adamw.h"
#include "tensor/random.h"

namespace ctcscope::cli {

DemoTrainResult demo_train(const DemoTrainOptions& o, bool print) {
  auto model = make_model(o.model, o.classes, o.seed);
  model->train();
  Tensor images = random_normal({o.batch, 3, o.size, o.size}, Seed{"demo.images", 0, o.seed});
  Tensor labels = Tensor::empty({o.batch}, DType::i64);
  for (std::int64_t i = 0; i < o.batch; ++i) labels.data<std::int64_t>()[i] = i % o.classes;

  AdamWOptions adamw;
  adamw.lr = o.lr;
  AdamW optimizer(model->named_parameters(), adamw);
  CrossEntropyLoss criterion;

  if (print) {
    std::printf("demo-train: %s, %lld parameters, %lld generated images %lldx%lld, %lld classes, AdamW lr %g\n",
                o.model.c_str(), static_cast<long long>(model->parameter_count()),
                static_cast<long long>(o.batch), static_cast<long long>(o.size),
                static_cast<long long>(o.size), static_cast<long long>(o.classes), o.lr);
  }
  DemoTrainResult result;
  auto start = std::chrono::steady_clock::now();
  for (std::int64_t step = 1; step <= o.steps; ++step) {
    model->zero_grad();
    double loss = criterion.forward(model->forward(images), labels);
    CTC_CHECK(std::isfinite(loss), "demo-train: the loss became ", loss, " at step ", step);
    model->backward(criterion.backward());
    optimizer.step();
    if (step == 1) result.first_loss = loss;
    result.last_loss = loss;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.images_per_second = static_cast<double>(step * o.batch) / seconds;
    if (print) {
      std::printf("step %3lld/%lld  loss %.4f  %.1f images/s\n", static_cast<long long>(step),
                  static_cast<long long>(o.steps), loss, result.images_per_second);
      std::fflush(stdout);
    }
  }
  if (print) {
    std::printf("loss fell from %.4f to %.4f in %lld steps\n", result.first_loss, result.last_loss,
                static_cast<long long>(o.steps));
  }
  return result;
}

}  // namespace ctcscope::cli
