// Channel-wise multiply (squeeze-excitation) on the CPU: values, dx and ds
// against central differences (f64), both shapes of s, and errors.
#include <cmath>

#include "kernels/channel_scale.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

TEST(ChannelScaleCpu, Backward_MatchesFiniteDifferences) {
  for (const Shape& s_shape : {Shape{2, 3}, Shape{2, 3, 1, 1}}) {
    SCOPED_TRACE(shape_str(s_shape));
    const Shape shape{2, 3, 5, 7};
    Tensor x = random_normal(shape, Seed{"cscale.x"}, 0, 1, DType::f64);
    Tensor s = random_normal(s_shape, Seed{"cscale.s"}, 0, 1, DType::f64);
    Tensor r = random_normal(shape, Seed{"cscale.r"}, 0, 1, DType::f64);
    Tensor y = Tensor::empty(shape, DType::f64);
    Tensor dx = Tensor::full(shape, NAN, DType::f64), ds = Tensor::full(s_shape, NAN, DType::f64);
    channel_scale_backward(r, x, s, dx, ds);
    auto f = [&] {
      channel_scale_forward(x, s, y);
      return test::dot(y, r);
    };
    expect_close(dx, test::numeric_gradient(x, f), tol::kFiniteDiff, "dx");
    expect_close(ds, test::numeric_gradient(s, f), tol::kFiniteDiff, "ds");
  }
}

TEST(ChannelScaleCpu, ForwardValues) {
  Tensor x = random_normal({2, 3, 2, 2}, Seed{"cscale.v.x"});
  Tensor s = random_normal({2, 3}, Seed{"cscale.v.s"});
  Tensor y = Tensor::empty(x.shape());
  channel_scale_forward(x, s, y);
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    ASSERT_FLOAT_EQ(static_cast<float>(y.item(i)), static_cast<float>(x.item(i) * s.item(i / 4))) << i;
  }
}

TEST(ChannelScaleCpu, Errors) {
  Tensor x = Tensor::zeros({2, 3, 4, 4}), y = Tensor::zeros({2, 3, 4, 4});
  Tensor s = Tensor::zeros({3, 2});
  test::expect_error_containing([&] { channel_scale_forward(x, s, y); }, "s");
}

}  // namespace
}  // namespace ctcscope
