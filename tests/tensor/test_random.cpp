// The counter-based generator: known Philox answers, independence of
// purpose/index/seed, and the distributions' moments.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/random.h"

namespace ctcscope {
namespace {

TEST(Philox, SameKeySameNumbersAnyOrder) {
  Philox a(Seed{"x", 3, 9}), b(Seed{"x", 3, 9});
  EXPECT_EQ(a.block(7), b.block(7));
  // Element i does not depend on what was drawn before it.
  Tensor t = random_uniform({100}, Seed{"u", 1, 2});
  Philox c(Seed{"u", 1, 2});
  EXPECT_EQ(t.item(57), static_cast<float>(c.uniform(57)));
}

TEST(Philox, PurposeIndexAndSeedEachChangeTheStream) {
  auto first = [](const Seed& s) { return Philox(s).block(0); };
  auto base = first(Seed{"init.fc.weight", 0, 0});
  EXPECT_NE(base, first(Seed{"init.fc.bias", 0, 0}));
  EXPECT_NE(base, first(Seed{"init.fc.weight", 1, 0}));
  EXPECT_NE(base, first(Seed{"init.fc.weight", 0, 1}));
}

TEST(Philox, MomentsOfUniformAndNormal) {
  Tensor u = random_uniform({200000}, Seed{"moments.u"}, -1.0, 3.0, DType::f64);
  Tensor n = random_normal({200000}, Seed{"moments.n"}, 2.0, 0.5, DType::f64);
  double su = 0, sn = 0, sn2 = 0, lo = 1e9, hi = -1e9;
  for (std::int64_t i = 0; i < u.numel(); ++i) {
    double x = u.item(i);
    su += x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    double y = n.item(i);
    sn += y;
    sn2 += y * y;
  }
  double m = su / u.numel();
  EXPECT_NEAR(m, 1.0, 0.01);
  EXPECT_GE(lo, -1.0);
  EXPECT_LT(hi, 3.0);
  double mn = sn / n.numel();
  EXPECT_NEAR(mn, 2.0, 0.005);
  EXPECT_NEAR(std::sqrt(sn2 / n.numel() - mn * mn), 0.5, 0.005);
}

TEST(Init, KaimingFanOutAndUniformFanIn) {
  Tensor w = Tensor::empty({128, 64, 3, 3});
  init_kaiming_normal_fan_out(w, Seed{"k"});
  double s2 = 0;
  for (std::int64_t i = 0; i < w.numel(); ++i) s2 += w.item(i) * w.item(i);
  EXPECT_NEAR(std::sqrt(s2 / w.numel()), std::sqrt(2.0 / (128 * 9)), 0.01 * std::sqrt(2.0 / (128 * 9)));
  Tensor b = Tensor::empty({1000});
  init_uniform_fan_in(b, 16, Seed{"b"});
  for (std::int64_t i = 0; i < b.numel(); ++i) EXPECT_LE(std::fabs(b.item(i)), 0.25);
}

}  // namespace
}  // namespace ctcscope
