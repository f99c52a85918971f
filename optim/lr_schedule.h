// Learning-rate schedules as pure functions of the step: lr_at(t) is the rate
// of optimizer step t, counted from 0 (t = 0 is the first step). Constant;
// StepLR (torch.optim.lr_scheduler.StepLR); and cosine annealing after a
// linear warm-up (torch's LinearLR followed by CosineAnnealingLR).
#pragma once

#include <cstdint>
#include <string>

namespace ctcscope {

class LrSchedule {
 public:
  enum class Kind { constant, step, warmup_cosine };

  // lr_at(t) = base_lr.
  static LrSchedule constant(double base_lr);
  // lr_at(t) = base_lr * gamma^floor(t / step_size), as StepLR.
  static LrSchedule step(double base_lr, std::int64_t step_size, double gamma);
  // With W = warmup_steps, T = total_steps - W, f = warmup_start_factor:
  //   t < W:       base_lr * (f + (1 - f) * t / W)                        (LinearLR)
  //   W <= t < W+T: min_lr + (base_lr - min_lr) * (1 + cos(pi (t-W) / T)) / 2
  //                                                    (CosineAnnealingLR, eta_min = min_lr)
  //   t >= W+T:    min_lr (torch's CosineAnnealingLR would rise again: it is periodic)
  static LrSchedule warmup_cosine(double base_lr, std::int64_t total_steps,
                                  std::int64_t warmup_steps, double warmup_start_factor,
                                  double min_lr);

  double lr_at(std::int64_t step) const;

  Kind kind() const { return kind_; }
  double base_lr() const { return base_lr_; }
  // "warmup_cosine(base_lr=0.001, total_steps=1000, warmup_steps=50, ...)"
  std::string describe() const;

 private:
  LrSchedule() = default;

  Kind kind_ = Kind::constant;
  double base_lr_ = 0.0;
  std::int64_t step_size_ = 1;  // step
  double gamma_ = 1.0;          // step
  std::int64_t total_steps_ = 0;   // warmup_cosine
  std::int64_t warmup_steps_ = 0;  // warmup_cosine
  double warmup_start_factor_ = 1.0;
  double min_lr_ = 0.0;
};

}  // namespace ctcscope
