// Channel concat and split on the GPU against the CPU twins, bit for bit:
// odd pieces (1 channel, a wide one), odd H and W, batch > 1.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/concat.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(ConcatCuda, ConcatAndSplitMatchCpuBitForBit) {
  CTC_REQUIRE_CUDA();
  const std::int64_t n = 3, h = 7, w = 5;
  const std::vector<std::int64_t> channels{1, 6, 3, 11};
  std::vector<Tensor> xs_c, xs_g, dxs_c, dxs_g;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const Shape s{n, channels[i], h, w};
    xs_c.push_back(random_normal(s, Seed{"concat.cuda.x", i}));
    xs_g.push_back(test::to_gpu(xs_c.back()));
    dxs_c.push_back(Tensor::full(s, NAN));
    dxs_g.push_back(Tensor::full(s, NAN).to_device(Device::cuda));
    total += channels[i];
  }
  const Shape ys{n, total, h, w};
  Tensor y_c = Tensor::full(ys, NAN), y_g = Tensor::full(ys, NAN).to_device(Device::cuda);
  concat_channels(xs_c, y_c);
  concat_channels(xs_g, y_g);
  test::expect_close(test::to_host(y_g), y_c, {0, 0}, "y");

  Tensor dy = random_normal(ys, Seed{"concat.cuda.dy"});
  split_channels(dy, dxs_c);
  split_channels(test::to_gpu(dy), dxs_g);
  for (std::size_t i = 0; i < channels.size(); ++i) {
    test::expect_close(test::to_host(dxs_g[i]), dxs_c[i], {0, 0}, "dx" + std::to_string(i));
  }
}

}  // namespace
}  // namespace ctcscope
