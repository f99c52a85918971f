// Per-channel bias on the GPU against the CPU twin: the add bit for bit, the
// gradient (a fixed-order double sum per channel block) to strict fp32,
// accumulated (+=) and identical on a second run. N * H * W below and above
// a block.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/bias.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(BiasCuda, AddAndGradientMatchCpu) {
  CTC_REQUIRE_CUDA();
  for (const Shape& ys : {Shape{3, 5, 1, 1}, Shape{2, 7, 5, 7}, Shape{3, 4, 23, 19}}) {
    const Shape bs{ys[1]};
    Tensor b = random_normal(bs, Seed{"bias.cuda.b"});
    Tensor y = random_normal(ys, Seed{"bias.cuda.y", static_cast<std::uint64_t>(ys[2])});
    Tensor dy = random_normal(ys, Seed{"bias.cuda.dy"});
    Tensor y_c = y.clone();
    bias_add_channels(b, y_c);
    Tensor y_g = test::to_gpu(y);
    bias_add_channels(test::to_gpu(b), y_g);
    test::expect_close(test::to_host(y_g), y_c, {0, 0}, "y");

    Tensor db0 = random_normal(bs, Seed{"bias.cuda.db0"});  // accumulated into
    Tensor db_c = db0.clone();
    bias_backward_channels(dy, db_c);
    Tensor dy_g = test::to_gpu(dy), db_g = test::to_gpu(db0), db_again = test::to_gpu(db0);
    bias_backward_channels(dy_g, db_g);
    test::expect_close(test::to_host(db_g), db_c, test::tol::kStrictFp32, "db");
    bias_backward_channels(dy_g, db_again);
    test::expect_close(test::to_host(db_again), test::to_host(db_g), {0, 0}, "db, second run");
  }
}

}  // namespace
}  // namespace ctcscope
