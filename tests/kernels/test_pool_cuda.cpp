// Pools on the GPU against the CPU twins, bit for bit (the kernels repeat the
// twins' loops): max pool values and i32 indices (ties and NaN), the
// deterministic max-pool backward, average pools both ways, global pool.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/gpu_math.h"
#include "kernels/pool.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

Pool2dParams pool(std::int64_t k, std::int64_t s, std::int64_t pad, bool include_pad = true) {
  Pool2dParams p;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = s;
  p.pad_h = p.pad_w = pad;
  p.count_include_pad = include_pad;
  return p;
}

TEST(PoolCuda, MaxPoolMatchesCpuWithTiesAndNaN) {
  CTC_REQUIRE_CUDA();
  for (const Pool2dParams& p : {pool(3, 2, 1), pool(2, 2, 0), pool(3, 1, 1)}) {
    const Shape xs{2, 3, 11, 9};
    Tensor x = random_normal(xs, Seed{"maxpool.cuda.x", static_cast<std::uint64_t>(p.kernel_h)});
    float* px = x.data<float>();
    for (int i = 0; i < 20; ++i) px[i] = 1.0f;  // ties: the first maximum wins
    px[50] = NAN;
    const Shape ys = pool2d_output_shape(xs, p);
    Tensor dy = random_normal(ys, Seed{"maxpool.cuda.dy"});
    Tensor y_c = Tensor::empty(ys), i_c = Tensor::empty(ys, DType::i32), dx_c = Tensor::empty(xs);
    maxpool2d_forward(x, p, y_c, i_c);
    maxpool2d_backward(dy, i_c, p, dx_c);
    Tensor y_g = Tensor::empty(ys, DType::f32, Device::cuda);
    Tensor i_g = Tensor::empty(ys, DType::i32, Device::cuda);
    Tensor dx_g = Tensor::full(xs, NAN).to_device(Device::cuda);
    maxpool2d_forward(test::to_gpu(x), p, y_g, i_g);
    maxpool2d_backward(test::to_gpu(dy), i_g, p, dx_g);
    test::expect_close(test::to_host(y_g), y_c, {0, 0}, "y");
    test::expect_close(test::to_host(i_g), i_c, {0, 0}, "indices");
    test::expect_close(test::to_host(dx_g), dx_c, {0, 0}, "dx");
    Tensor y_plain = Tensor::empty(ys, DType::f32, Device::cuda), no_indices;  // an inference's forward
    maxpool2d_forward(test::to_gpu(x), p, y_plain, no_indices);
    test::expect_close(test::to_host(y_plain), y_c, {0, 0}, "y without indices");
  }
}

// Overlapping windows at a ResNet stem's size: the per-input gather adds
// in output order, as the twin's scatter, so dx agrees bit for bit.
TEST(PoolCuda, MaxPoolBackwardAtStemSizeMatchesCpu) {
  CTC_REQUIRE_CUDA();
  const Pool2dParams p = pool(3, 2, 1);
  const Shape xs{4, 8, 74, 74};
  Tensor x = random_normal(xs, Seed{"maxpool.cuda.stem.x"});
  const Shape ys = pool2d_output_shape(xs, p);
  Tensor dy = random_normal(ys, Seed{"maxpool.cuda.stem.dy"});
  Tensor y_c = Tensor::empty(ys), i_c = Tensor::empty(ys, DType::i32), dx_c = Tensor::empty(xs);
  maxpool2d_forward(x, p, y_c, i_c);
  maxpool2d_backward(dy, i_c, p, dx_c);
  Tensor dx_g = Tensor::full(xs, NAN).to_device(Device::cuda);
  maxpool2d_backward(test::to_gpu(dy), test::to_gpu(i_c), p, dx_g);
  test::expect_close(test::to_host(dx_g), dx_c, {0, 0}, "dx");
  check_gpu_errors();  // nothing flagged
}

// No host wait per call: an index outside its window is flagged on the
// device and read by check_gpu_errors (or with the next loss).
TEST(PoolCuda, MaxPoolBadIndexIsFlaggedAndReadLater) {
  CTC_REQUIRE_CUDA();
  const Pool2dParams p = pool(2, 2, 0);
  const Shape xs{1, 1, 4, 4}, ys{1, 1, 2, 2};
  Tensor idx = Tensor::from_vector(std::vector<std::int64_t>{0, 2, 8, 3}, ys).to(DType::i32);
  Tensor dx = Tensor::empty(xs, DType::f32, Device::cuda);  // output 3's window is {10,11,14,15}
  maxpool2d_backward(test::to_gpu(Tensor::full(ys, 1.0)), test::to_gpu(idx), p, dx);
  test::expect_error_containing([] { check_gpu_errors(); }, "maxpool2d_backward: an index");
  check_gpu_errors();  // read once: cleared
}

TEST(PoolCuda, AvgPoolMatchesCpu) {
  CTC_REQUIRE_CUDA();
  for (const Pool2dParams& p : {pool(3, 2, 1, true), pool(3, 2, 1, false), pool(2, 2, 0)}) {
    const Shape xs{2, 3, 9, 10};
    Tensor x = random_normal(xs, Seed{"avgpool.cuda.x"});
    const Shape ys = pool2d_output_shape(xs, p);
    Tensor dy = random_normal(ys, Seed{"avgpool.cuda.dy"});
    Tensor y_c = Tensor::empty(ys), dx_c = Tensor::empty(xs);
    avgpool2d_forward(x, p, y_c);
    avgpool2d_backward(dy, p, dx_c);
    Tensor y_g = Tensor::empty(ys, DType::f32, Device::cuda);
    Tensor dx_g = Tensor::full(xs, NAN).to_device(Device::cuda);
    avgpool2d_forward(test::to_gpu(x), p, y_g);
    avgpool2d_backward(test::to_gpu(dy), p, dx_g);
    test::expect_close(test::to_host(y_g), y_c, {0, 0}, "y");
    test::expect_close(test::to_host(dx_g), dx_c, {0, 0}, "dx");
  }
}

class GlobalAvgPoolCuda : public ::testing::TestWithParam<Shape> {};

// Planes smaller and larger than the kernel's 256 threads. Bit for bit: these
// sums of floats are exact in double in any order, so the GPU's tree and the
// twin's loop round to the same float.
TEST_P(GlobalAvgPoolCuda, MatchesCpu) {
  CTC_REQUIRE_CUDA();
  const Shape xs = GetParam();
  const Shape ys{xs[0], xs[1]};
  Tensor x = random_normal(xs, Seed{"gap.cuda.x"});
  Tensor dy = random_normal(ys, Seed{"gap.cuda.dy"});
  Tensor y_c = Tensor::empty(ys), dx_c = Tensor::empty(xs);
  global_avgpool_forward(x, y_c);
  global_avgpool_backward(dy, dx_c);
  Tensor y_g = Tensor::empty(ys, DType::f32, Device::cuda);
  Tensor dx_g = Tensor::empty(xs, DType::f32, Device::cuda);
  global_avgpool_forward(test::to_gpu(x), y_g);
  global_avgpool_backward(test::to_gpu(dy), dx_g);
  test::expect_close(test::to_host(y_g), y_c, {0, 0}, "y");
  test::expect_close(test::to_host(dx_g), dx_c, {0, 0}, "dx");
}

INSTANTIATE_TEST_SUITE_P(Shapes, GlobalAvgPoolCuda,
                         ::testing::Values(Shape{3, 5, 7, 9}, Shape{2, 3, 37, 37}, Shape{1, 2, 1, 1}));

}  // namespace
}  // namespace ctcscope
