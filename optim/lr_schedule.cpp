// Learning-rate schedules: closed forms of torch's StepLR, LinearLR and
// CosineAnnealingLR (torch's recursive updates agree with them to rounding).
#include "optim/lr_schedule.h"

#include <cmath>
#include <numbers>
#include <sstream>

#include "base/error.h"

namespace ctcscope {

LrSchedule LrSchedule::constant(double base_lr) {
  CTC_CHECK(base_lr >= 0.0, "LrSchedule: base_lr must be >= 0, got ", base_lr);
  LrSchedule s;
  s.kind_ = Kind::constant;
  s.base_lr_ = base_lr;
  return s;
}

LrSchedule LrSchedule::step(double base_lr, std::int64_t step_size, double gamma) {
  CTC_CHECK(base_lr >= 0.0, "LrSchedule: base_lr must be >= 0, got ", base_lr);
  CTC_CHECK(step_size >= 1, "LrSchedule::step: step_size must be >= 1, got ", step_size);
  CTC_CHECK(gamma > 0.0, "LrSchedule::step: gamma must be > 0, got ", gamma);
  LrSchedule s;
  s.kind_ = Kind::step;
  s.base_lr_ = base_lr;
  s.step_size_ = step_size;
  s.gamma_ = gamma;
  return s;
}

LrSchedule LrSchedule::warmup_cosine(double base_lr, std::int64_t total_steps,
                                     std::int64_t warmup_steps, double warmup_start_factor,
                                     double min_lr) {
  CTC_CHECK(base_lr >= 0.0, "LrSchedule: base_lr must be >= 0, got ", base_lr);
  CTC_CHECK(warmup_steps >= 0, "LrSchedule::warmup_cosine: warmup_steps must be >= 0, got ",
            warmup_steps);
  CTC_CHECK(total_steps > warmup_steps, "LrSchedule::warmup_cosine: total_steps (", total_steps,
            ") must exceed warmup_steps (", warmup_steps, ")");
  CTC_CHECK(warmup_start_factor > 0.0 && warmup_start_factor <= 1.0,
            "LrSchedule::warmup_cosine: warmup_start_factor must be in (0,1], got ",
            warmup_start_factor);
  CTC_CHECK(min_lr >= 0.0 && min_lr <= base_lr,
            "LrSchedule::warmup_cosine: min_lr must be in [0, base_lr], got ", min_lr);
  LrSchedule s;
  s.kind_ = Kind::warmup_cosine;
  s.base_lr_ = base_lr;
  s.total_steps_ = total_steps;
  s.warmup_steps_ = warmup_steps;
  s.warmup_start_factor_ = warmup_start_factor;
  s.min_lr_ = min_lr;
  return s;
}

double LrSchedule::lr_at(std::int64_t step) const {
  CTC_CHECK(step >= 0, "LrSchedule::lr_at: step must be >= 0, got ", step);
  switch (kind_) {
    case Kind::constant:
      return base_lr_;
    case Kind::step:
      return base_lr_ * std::pow(gamma_, static_cast<double>(step / step_size_));
    case Kind::warmup_cosine: {
      if (step < warmup_steps_) {
        const double f = warmup_start_factor_;
        return base_lr_ * (f + (1.0 - f) * static_cast<double>(step) / warmup_steps_);
      }
      const std::int64_t t = step - warmup_steps_;
      const std::int64_t T = total_steps_ - warmup_steps_;
      if (t >= T) return min_lr_;
      const double c = std::cos(std::numbers::pi * static_cast<double>(t) / static_cast<double>(T));
      return min_lr_ + (base_lr_ - min_lr_) * (1.0 + c) / 2.0;
    }
  }
  CTC_FAIL("LrSchedule::lr_at: unknown kind");
}

std::string LrSchedule::describe() const {
  std::ostringstream out;
  switch (kind_) {
    case Kind::constant:
      out << "constant(base_lr=" << base_lr_ << ")";
      break;
    case Kind::step:
      out << "step(base_lr=" << base_lr_ << ", step_size=" << step_size_ << ", gamma=" << gamma_
          << ")";
      break;
    case Kind::warmup_cosine:
      out << "warmup_cosine(base_lr=" << base_lr_ << ", total_steps=" << total_steps_
          << ", warmup_steps=" << warmup_steps_ << ", warmup_start_factor="
          << warmup_start_factor_ << ", min_lr=" << min_lr_ << ")";
      break;
  }
  return out.str();
}

}  // namespace ctcscope
