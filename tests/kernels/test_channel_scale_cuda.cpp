// Channel-wise multiply on the GPU against the CPU twin: forward bit for bit,
// ds (a fixed-order double sum per (n, c) block) to strict fp32 and identical
// on a second run, dx bit for bit, in place too. Planes smaller and larger
// than a block (1x1, 5x7, 23x19).
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/channel_scale.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(ChannelScaleCuda, ForwardAndBackwardMatchCpu) {
  CTC_REQUIRE_CUDA();
  for (const Shape& xs : {Shape{3, 5, 1, 1}, Shape{2, 7, 5, 7}, Shape{3, 4, 23, 19}}) {
    const Shape ss{xs[0], xs[1], 1, 1};
    Tensor x = random_normal(xs, Seed{"cscale.cuda.x", static_cast<std::uint64_t>(xs[2])});
    Tensor s = random_normal(ss, Seed{"cscale.cuda.s"});
    Tensor dy = random_normal(xs, Seed{"cscale.cuda.dy"});
    Tensor y_c = Tensor::empty(xs), dx_c = Tensor::empty(xs), ds_c = Tensor::empty(ss);
    channel_scale_forward(x, s, y_c);
    channel_scale_backward(dy, x, s, dx_c, ds_c);

    Tensor x_g = test::to_gpu(x), s_g = test::to_gpu(s), dy_g = test::to_gpu(dy);
    Tensor y_g = Tensor::full(xs, NAN).to_device(Device::cuda);
    Tensor dx_g = Tensor::full(xs, NAN).to_device(Device::cuda);
    Tensor ds_g = Tensor::full(ss, NAN).to_device(Device::cuda);
    channel_scale_forward(x_g, s_g, y_g);
    channel_scale_backward(dy_g, x_g, s_g, dx_g, ds_g);
    test::expect_close(test::to_host(y_g), y_c, {0, 0}, "y");
    test::expect_close(test::to_host(dx_g), dx_c, {0, 0}, "dx");
    test::expect_close(test::to_host(ds_g), ds_c, test::tol::kStrictFp32, "ds");

    // Deterministic: a second run gives the same bits; dx may be dy.
    Tensor ds_again = Tensor::full(ss, NAN).to_device(Device::cuda);
    channel_scale_backward(dy_g, x_g, s_g, dy_g, ds_again);
    test::expect_close(test::to_host(ds_again), test::to_host(ds_g), {0, 0}, "ds, second run");
    test::expect_close(test::to_host(dy_g), dx_c, {0, 0}, "dx in place");
  }
}

}  // namespace
}  // namespace ctcscope
