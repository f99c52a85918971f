// The demo training run on generated cells.
#include "tools/demo_train.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "layers/cross_entropy_loss.h"
#include "models/registry.h"
#include "optim/adamw.h"
#include "tensor/random.h"

namespace ctcscope::cli {

void draw_demo_cells(const std::string& stream, std::int64_t first, std::uint64_t seed, Tensor& images,
                     Tensor& labels) {
  const std::int64_t n = images.size(0), size = images.size(2), plane = size * size;
  float* px = images.data<float>();
  std::int64_t* py = labels.data<std::int64_t>();
  const std::string cell_purpose = std::string("demo.cell.").append(stream);
  const std::string noise_purpose = std::string("demo.noise.").append(stream);
  for (std::int64_t i = 0; i < n; ++i) {
    Philox cell(Seed{cell_purpose, static_cast<std::uint64_t>(first + i), seed});
    Philox noise(Seed{noise_purpose, static_cast<std::uint64_t>(first + i), seed});
    const bool large = cell.uniform(0) < 0.5;
    const double radius = size * (large ? 0.16 + 0.06 * cell.uniform(1) : 0.08 + 0.04 * cell.uniform(1));
    const double cy = radius + (size - 2 * radius) * cell.uniform(2);
    const double cx = radius + (size - 2 * radius) * cell.uniform(3);
    const double brightness = 0.8 + 0.7 * cell.uniform(4);
    float* img = px + i * 3 * plane;
    for (std::int64_t h = 0; h < size; ++h) {
      for (std::int64_t w = 0; w < size; ++w) {
        const double d = std::hypot(h + 0.5 - cy, w + 0.5 - cx);
        const double disk = d <= radius ? brightness : 0.0;
        img[h * size + w] = static_cast<float>(disk + 0.5 * noise.normal(static_cast<std::uint64_t>(h * size + w)));
      }
    }
    for (int c = 1; c < 3; ++c) std::copy(img, img + plane, img + c * plane);
    py[i] = large ? 1 : 0;
  }
}

DemoTrainResult demo_train(const DemoTrainOptions& o, bool print) {
  auto model = make_model(o.model, 2, o.seed);
  model->train();
  AdamWOptions adamw;
  adamw.lr = o.lr;
  AdamW optimizer(model->named_parameters(), adamw);
  CrossEntropyLoss criterion;
  Tensor images = Tensor::empty({o.batch, 3, o.size, o.size});
  Tensor labels = Tensor::empty({o.batch}, DType::i64);

  if (print) {
    std::printf("demo-train: %s (%lld parameters) learns large from small generated cells, %lldx%lld,\n"
                "            %lld steps of %lld fresh images, AdamW lr %g, seed %llu\n",
                o.model.c_str(), static_cast<long long>(model->parameter_count()),
                static_cast<long long>(o.size), static_cast<long long>(o.size), static_cast<long long>(o.steps),
                static_cast<long long>(o.batch), o.lr, static_cast<unsigned long long>(o.seed));
  }
  DemoTrainResult result;
  double train_seconds = 0;
  for (std::int64_t step = 1; step <= o.steps; ++step) {
    draw_demo_cells("train", (step - 1) * o.batch, o.seed, images, labels);
    auto start = std::chrono::steady_clock::now();
    model->zero_grad();
    double loss = criterion.forward(model->forward(images), labels);
    CTC_CHECK(std::isfinite(loss), "demo-train: the loss became ", loss, " at step ", step);
    model->backward(criterion.backward());
    optimizer.step();
    train_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (step == 1) result.first_loss = loss;
    result.last_loss = loss;
    result.images_per_second = static_cast<double>(step * o.batch) / train_seconds;
    if (print) {
      std::printf("step %3lld/%lld  loss %.4f  %.1f images/s\n", static_cast<long long>(step),
                  static_cast<long long>(o.steps), loss, result.images_per_second);
      std::fflush(stdout);
    }
  }

  model->eval();
  for (std::int64_t first = 0; first < o.heldout; first += o.batch) {
    const std::int64_t n = std::min(o.batch, o.heldout - first);
    Tensor x = Tensor::empty({n, 3, o.size, o.size});
    Tensor y = Tensor::empty({n}, DType::i64);
    draw_demo_cells("heldout", first, o.seed, x, y);
    Tensor logits = model->forward(x);
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t call = logits.item(2 * i + 1) > logits.item(2 * i) ? 1 : 0;
      result.heldout_correct += call == y.data<std::int64_t>()[i];
    }
  }
  if (print) {
    std::printf("loss %.4f -> %.4f; held-out generated cells called right: %lld/%lld (%.1f%%)\n",
                result.first_loss, result.last_loss, static_cast<long long>(result.heldout_correct),
                static_cast<long long>(o.heldout), 100.0 * result.heldout_correct / o.heldout);
  }
  return result;
}

}  // namespace ctcscope::cli
