// Max, average and global average pooling on the CPU: every backward against
// central differences (f64) over stride/padding variants (ResNet's 3x3/2 pad 1
// max pool, 2x2/2 average pool, count_include_pad both ways), PyTorch's
// tie and NaN rules, padding semantics, the output shape rule, and errors.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "kernels/pool.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

Pool2dParams pool(std::int64_t kh, std::int64_t kw, std::int64_t sh, std::int64_t sw,
                  std::int64_t ph, std::int64_t pw, bool count_include_pad = true) {
  Pool2dParams p;
  p.kernel_h = kh, p.kernel_w = kw, p.stride_h = sh, p.stride_w = sw, p.pad_h = ph, p.pad_w = pw;
  p.count_include_pad = count_include_pad;
  return p;
}

std::string describe(const Shape& s, const Pool2dParams& p) {
  return shape_str(s) + " kernel " + std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) +
         " stride " + std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w) + " pad " +
         std::to_string(p.pad_h) + "x" + std::to_string(p.pad_w) +
         (p.count_include_pad ? " count_include_pad" : " exclude_pad");
}

// A random permutation of an evenly spaced grid (step 0.05): no two values
// tie, so a finite-difference step of 1e-6 never moves a max-pool argmax.
Tensor distinct_values(const Shape& shape, const Seed& seed) {
  Tensor noise = random_uniform(shape, seed, 0.0, 1.0, DType::f64);
  const std::int64_t n = noise.numel();
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::int64_t a, std::int64_t b) { return noise.item(a) < noise.item(b); });
  Tensor t = Tensor::empty(shape, DType::f64);
  for (std::int64_t k = 0; k < n; ++k) t.data<double>()[order[k]] = 0.05 * static_cast<double>(k - n / 2);
  return t;
}

// (input shape, parameters) pairs covering the strides and paddings in use.
const std::vector<std::pair<Shape, Pool2dParams>> kMaxCases = {
    {{2, 3, 5, 7}, pool(3, 3, 2, 2, 1, 1)},  // ResNet stem max pool
    {{2, 2, 3, 9}, pool(2, 2, 2, 2, 0, 0)},
    {{1, 2, 5, 7}, pool(3, 2, 1, 2, 1, 1)},
    {{2, 1, 7, 5}, pool(3, 3, 1, 1, 0, 0)},  // overlapping windows: scatter-add sums
    {{1, 2, 1, 2}, pool(3, 3, 2, 1, 1, 1)},  // windows mostly padding
};

TEST(MaxPoolCpu, Backward_MatchesFiniteDifferences) {
  for (const auto& [shape, p] : kMaxCases) {
    SCOPED_TRACE(describe(shape, p));
    Tensor x = distinct_values(shape, Seed{"maxpool.x"});
    const Shape out = pool2d_output_shape(shape, p);
    Tensor r = random_normal(out, Seed{"maxpool.r"}, 0.0, 1.0, DType::f64);
    Tensor y = Tensor::empty(out, DType::f64);
    Tensor idx = Tensor::empty(out, DType::i32);
    maxpool2d_forward(x, p, y, idx);
    Tensor dx = Tensor::full(shape, NAN, DType::f64);  // must come back assigned
    maxpool2d_backward(r, idx, p, dx);
    Tensor numeric = test::numeric_gradient(x, [&] {
      maxpool2d_forward(x, p, y, idx);
      return test::dot(y, r);
    });
    expect_close(dx, numeric, tol::kFiniteDiff, "dx");
  }
}

// Literal values from PyTorch 1.13:
//   x = torch.tensor([[[[1.,1.,2.],[1.,0.,2.],[3.,3.,-1.]]]])
//   torch.nn.functional.max_pool2d(x, 2, 1, return_indices=True)
//   -> values [[1,2],[3,3]], indices [[0,2],[6,7]]  (first maximum wins)
//   x = torch.tensor([[[[1.,1.,2.],[nan,0.,2.],[3.,nan,-1.]]]])
//   -> values [[nan,2],[nan,nan]], indices [[3,2],[7,7]]  (a NaN replaces, the last one stays)
TEST(MaxPoolCpu, TiesAndNaN_AsPyTorch) {
  const Pool2dParams p = pool(2, 2, 1, 1, 0, 0);
  Tensor y = Tensor::empty({1, 1, 2, 2}), idx = Tensor::empty({1, 1, 2, 2}, DType::i32);
  Tensor ties = Tensor::from_vector(std::vector<float>{1, 1, 2, 1, 0, 2, 3, 3, -1}, {1, 1, 3, 3});
  maxpool2d_forward(ties, p, y, idx);
  EXPECT_EQ(y.to_double_vector(), (std::vector<double>{1, 2, 3, 3}));
  EXPECT_EQ(idx.to_double_vector(), (std::vector<double>{0, 2, 6, 7}));

  Tensor nan = Tensor::from_vector(std::vector<float>{1, 1, 2, NAN, 0, 2, 3, NAN, -1}, {1, 1, 3, 3});
  maxpool2d_forward(nan, p, y, idx);
  EXPECT_TRUE(std::isnan(y.item(0)));
  EXPECT_EQ(y.item(1), 2);
  EXPECT_TRUE(std::isnan(y.item(2)));
  EXPECT_TRUE(std::isnan(y.item(3)));
  EXPECT_EQ(idx.to_double_vector(), (std::vector<double>{3, 2, 7, 7}));
}

// Padding is -inf: an all-negative input never pools to 0, and an all -inf
// window reports its first real element.
TEST(MaxPoolCpu, PaddingIsMinusInfinity) {
  Tensor x = Tensor::from_vector(std::vector<double>{-5, -4, -3, -6, -2, -7, -8, -9, -1}, {1, 1, 3, 3});
  Tensor y = Tensor::empty({1, 1, 2, 2}, DType::f64), idx = Tensor::empty({1, 1, 2, 2}, DType::i32);
  maxpool2d_forward(x, pool(3, 3, 2, 2, 1, 1), y, idx);
  EXPECT_EQ(y.to_double_vector(), (std::vector<double>{-2, -2, -2, -1}));
  EXPECT_EQ(idx.to_double_vector(), (std::vector<double>{4, 4, 4, 8}));

  Tensor minf = Tensor::full({1, 1, 3, 3}, -INFINITY, DType::f64);
  maxpool2d_forward(minf, pool(3, 3, 2, 2, 1, 1), y, idx);
  EXPECT_EQ(idx.to_double_vector(), (std::vector<double>{0, 1, 3, 4}));
}

// Large enough (41,440 elements) to take the parallel path.
TEST(MaxPoolCpu, F32MatchesF64Exactly) {
  const Shape shape = {2, 16, 37, 35};
  const Pool2dParams p = pool(3, 3, 2, 2, 1, 1);
  const Shape out = pool2d_output_shape(shape, p);
  Tensor x32 = random_normal(shape, Seed{"maxpool.f32"});
  Tensor y32 = Tensor::empty(out), y64 = Tensor::empty(out, DType::f64);
  Tensor i32 = Tensor::empty(out, DType::i32), i64 = Tensor::empty(out, DType::i32);
  maxpool2d_forward(x32, p, y32, i32);
  maxpool2d_forward(x32.to(DType::f64), p, y64, i64);
  expect_close(y32, y64, {0, 0}, "y");
  expect_close(i32, i64, {0, 0}, "indices");
}

// An inference's forward keeps no argmax: the same y bit for bit, NaN,
// ties and -inf included, on every case above and the parallel path's size.
TEST(MaxPoolCpu, WithoutIndicesTheSameValues) {
  std::vector<std::pair<Shape, Pool2dParams>> cases = kMaxCases;
  cases.push_back({{2, 16, 37, 35}, pool(3, 3, 2, 2, 1, 1)});
  cases.push_back({{1, 2, 3, 1}, pool(3, 3, 2, 2, 1, 1)});  // no window inside a row
  cases.push_back({{1, 2, 5, 8}, pool(3, 3, 2, 2, 0, 0)});  // the stem's pool unpadded
  for (const auto& [shape, p] : cases) {
    Tensor x64 = random_normal(shape, Seed{"maxpool.no_indices"}, 0, 1, DType::f64);
    double* px = x64.data<double>();
    const std::int64_t n = x64.numel();
    for (std::int64_t i = 0; i < std::min<std::int64_t>(n, 6); ++i) px[i] = 1.0;  // ties
    px[n / 2] = NAN, px[n - 1] = -INFINITY, px[n / 3] = NAN;
    for (DType dtype : {DType::f32, DType::f64}) {
      SCOPED_TRACE(describe(shape, p) + (dtype == DType::f32 ? " f32" : " f64"));
      const Tensor x = x64.to(dtype);
      const Shape out = pool2d_output_shape(shape, p);
      Tensor indexed = Tensor::empty(out, dtype), idx = Tensor::empty(out, DType::i32);
      Tensor plain = Tensor::full(out, 7.0, dtype), none;  // 7: must come back assigned
      maxpool2d_forward(x, p, indexed, idx);
      maxpool2d_forward(x, p, plain, none);
      expect_close(plain, indexed, {0, 0}, "y");
    }
  }
}

const std::vector<std::pair<Shape, Pool2dParams>> kAvgCases = {
    {{2, 3, 5, 7}, pool(3, 3, 2, 2, 1, 1, true)},
    {{2, 3, 5, 7}, pool(3, 3, 2, 2, 1, 1, false)},
    {{2, 2, 3, 9}, pool(2, 2, 2, 2, 0, 0)},  // DenseNet transition
    {{1, 2, 5, 7}, pool(3, 2, 1, 2, 1, 1, true)},
    {{1, 2, 5, 7}, pool(3, 2, 1, 2, 1, 1, false)},
};

TEST(AvgPoolCpu, Backward_MatchesFiniteDifferences) {
  for (const auto& [shape, p] : kAvgCases) {
    SCOPED_TRACE(describe(shape, p));
    Tensor x = random_normal(shape, Seed{"avgpool.x"}, 0.0, 1.0, DType::f64);
    const Shape out = pool2d_output_shape(shape, p);
    Tensor r = random_normal(out, Seed{"avgpool.r"}, 0.0, 1.0, DType::f64);
    Tensor y = Tensor::empty(out, DType::f64);
    Tensor dx = Tensor::full(shape, NAN, DType::f64);
    avgpool2d_backward(r, p, dx);
    Tensor numeric = test::numeric_gradient(x, [&] {
      avgpool2d_forward(x, p, y);
      return test::dot(y, r);
    });
    expect_close(dx, numeric, tol::kFiniteDiff, "dx");
  }
}

// Ones through a 3x3/1 window with padding 1: with count_include_pad a corner
// averages 4 ones over 9 places, an edge 6 over 9; without, every mean is 1.
TEST(AvgPoolCpu, CountIncludePad_BothWays) {
  Tensor x = Tensor::full({1, 1, 3, 3}, 1.0, DType::f64);
  Tensor y = Tensor::empty({1, 1, 3, 3}, DType::f64);
  avgpool2d_forward(x, pool(3, 3, 1, 1, 1, 1, true), y);
  const double c = 4.0 / 9, e = 6.0 / 9;
  expect_close(y, Tensor::from_vector(std::vector<double>{c, e, c, e, 1, e, c, e, c}, {1, 1, 3, 3}),
               tol::kDouble, "count_include_pad=true");
  avgpool2d_forward(x, pool(3, 3, 1, 1, 1, 1, false), y);
  expect_close(y, Tensor::full({1, 1, 3, 3}, 1.0, DType::f64), tol::kDouble,
               "count_include_pad=false");
}

TEST(AvgPoolCpu, F32AgreesWithF64) {
  const Shape shape = {2, 16, 37, 35};
  const Pool2dParams p = pool(3, 3, 2, 2, 1, 1, false);
  const Shape out = pool2d_output_shape(shape, p);
  Tensor x32 = random_normal(shape, Seed{"avgpool.f32"});
  Tensor y32 = Tensor::empty(out), y64 = Tensor::empty(out, DType::f64);
  avgpool2d_forward(x32, p, y32);
  avgpool2d_forward(x32.to(DType::f64), p, y64);
  // Both sum in double; f32 rounds the mean once.
  expect_close(y32, y64, {1e-7, 1.2e-7}, "y");
}

TEST(GlobalAvgPoolCpu, Backward_MatchesFiniteDifferences) {
  for (const Shape& shape : {Shape{2, 3, 5, 7}, Shape{3, 2, 1, 1}}) {
    SCOPED_TRACE(shape_str(shape));
    Tensor x = random_normal(shape, Seed{"gap.x"}, 0.0, 1.0, DType::f64);
    Tensor r = random_normal({shape[0], shape[1]}, Seed{"gap.r"}, 0.0, 1.0, DType::f64);
    Tensor y = Tensor::empty({shape[0], shape[1]}, DType::f64);
    Tensor dx = Tensor::full(shape, NAN, DType::f64);
    global_avgpool_backward(r, dx);
    Tensor numeric = test::numeric_gradient(x, [&] {
      global_avgpool_forward(x, y);
      return test::dot(y, r);
    });
    expect_close(dx, numeric, tol::kFiniteDiff, "dx");
  }
}

TEST(GlobalAvgPoolCpu, ForwardIsThePlaneMean) {
  Tensor x = random_normal({2, 3, 5, 7}, Seed{"gap.mean"}, 0.0, 1.0, DType::f64);
  Tensor y = Tensor::empty({2, 3}, DType::f64), ref = Tensor::zeros({2, 3}, DType::f64);
  global_avgpool_forward(x, y);
  for (std::int64_t i = 0; i < x.numel(); ++i) ref.data<double>()[i / 35] += x.item(i) / 35;
  expect_close(y, ref, tol::kDouble, "y");
}

TEST(PoolShape, FloorRuleAndLimits) {
  EXPECT_EQ(pool2d_output_shape({16, 64, 74, 74}, pool(3, 3, 2, 2, 1, 1)), (Shape{16, 64, 37, 37}));
  EXPECT_EQ(pool2d_output_shape({2, 3, 5, 7}, pool(2, 2, 2, 2, 0, 0)), (Shape{2, 3, 2, 3}));
  EXPECT_EQ(pool2d_output_shape({1, 1, 3, 9}, pool(3, 2, 1, 2, 1, 1)), (Shape{1, 1, 3, 5}));
  EXPECT_EQ(pool2d_output_shape({1, 1, 2, 2}, pool(2, 2, 5, 5, 0, 0)), (Shape{1, 1, 1, 1}));
  test::expect_error_containing([] { pool2d_output_shape({1, 1, 3, 3}, pool(5, 5, 1, 1, 0, 0)); },
                      "output size would be <= 0");
  test::expect_error_containing([] { pool2d_output_shape({1, 1, 9, 9}, pool(3, 3, 1, 1, 2, 2)); },
                      "at most half of kernel size");
  test::expect_error_containing([] { pool2d_output_shape({1, 1, 9, 9}, pool(3, 3, 0, 1, 0, 0)); },
                      "stride must be positive");
  test::expect_error_containing([] { pool2d_output_shape({9, 9}, pool(3, 3, 1, 1, 0, 0)); }, "NCHW");
}

TEST(PoolCpu, Errors_NameTheArgument) {
  const Pool2dParams p = pool(3, 3, 2, 2, 1, 1);
  Tensor x = Tensor::zeros({2, 3, 5, 7});
  Tensor y = Tensor::zeros({2, 3, 3, 4}), idx = Tensor::zeros({2, 3, 3, 4}, DType::i32);
  Tensor y_wrong = Tensor::zeros({2, 3, 3, 3});
  test::expect_error_containing([&] { maxpool2d_forward(x, p, y_wrong, idx); },
                      "maxpool2d_forward: y has shape [2,3,3,3], expected [2,3,3,4]");
  Tensor idx_f32 = Tensor::zeros({2, 3, 3, 4});
  test::expect_error_containing([&] { maxpool2d_forward(x, p, y, idx_f32); }, "indices is f32");
  Tensor dx_wrong = Tensor::zeros({2, 4, 5, 7});
  test::expect_error_containing([&] { maxpool2d_backward(y, idx, p, dx_wrong); }, "maxpool2d_backward: dx");
  idx.fill(35);  // one past the 5x7 plane
  Tensor dx = Tensor::zeros({2, 3, 5, 7});
  test::expect_error_containing([&] { maxpool2d_backward(y, idx, p, dx); }, "outside the input plane");
  test::expect_error_containing([&] { avgpool2d_forward(x, p, y_wrong); }, "avgpool2d_forward: y has shape");
  test::expect_error_containing([&] { avgpool2d_backward(y_wrong, p, dx); }, "avgpool2d_backward: dy has shape");
  Tensor dx64 = Tensor::zeros({2, 3, 5, 7}, DType::f64);
  test::expect_error_containing([&] { avgpool2d_backward(y, p, dx64); }, "dx is f64");
  Tensor g = Tensor::zeros({2, 4});
  test::expect_error_containing([&] { global_avgpool_forward(x, g); },
                      "global_avgpool_forward: y has shape [2,4], expected [2,3]");
  test::expect_error_containing([&] { global_avgpool_backward(g, dx); }, "global_avgpool_backward: dx");
}

}  // namespace
}  // namespace ctcscope
