// Tensors on the GPU: the clear error without a device (runs everywhere),
// copies both ways, zero/fill on the device, pinned buffers.
#include <gtest/gtest.h>

#include "tensor/device.h"
#include "tensor/pinned.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// Runs everywhere, never skips: with a GPU the allocation works, without one
// it is a clear error.
TEST(TensorCuda, NoDeviceGivesClearError) {
  std::string why;
  if (cuda_device_count(&why) > 0) {
    EXPECT_TRUE(why.empty()) << why;
    EXPECT_EQ(Tensor::zeros({4}, DType::f32, Device::cuda).device(), Device::cuda);
    return;
  }
  EXPECT_FALSE(why.empty());
  try {
    Tensor::empty({4}, DType::f32, Device::cuda);
    FAIL() << "allocating on cuda without a GPU did not throw";
  } catch (const Error& e) {
    const std::string msg = e.what();
#ifdef CTC_WITH_CUDA
    EXPECT_NE(msg.find("no CUDA device: cudaGetDeviceCount says"), std::string::npos) << msg;
#else
    EXPECT_NE(msg.find("no CUDA backend"), std::string::npos) << msg;
#endif
  }
  test::expect_error_containing([] { require_cuda_device("test"); }, "test: ");
  test::expect_error_containing([] { Tensor::zeros({2, 2}).to_device(Device::cuda); }, "cuda");
}

TEST(TensorCuda, PinnedBufferWorksWithOrWithoutGpu) {
  PinnedBuffer b(1000);
  ASSERT_NE(b.data(), nullptr);
  EXPECT_EQ(b.bytes(), 1000u);
  EXPECT_EQ(b.pinned(), cuda_available());
  static_cast<char*>(b.data())[999] = 7;
  PinnedBuffer moved = std::move(b);
  EXPECT_EQ(b.data(), nullptr);
  EXPECT_EQ(static_cast<char*>(moved.data())[999], 7);
}

TEST(TensorCuda, CopiesRoundTripExactly) {
  CTC_REQUIRE_CUDA();
  Tensor x = random_normal({3, 5, 7, 9}, Seed{"cuda.copy"});
  Tensor d = test::to_gpu(x);
  EXPECT_EQ(d.device(), Device::cuda);
  EXPECT_EQ(d.shape(), x.shape());
  Tensor d2 = d.clone();  // device to device
  Tensor back = test::to_host(d2);
  test::expect_close(back, x, {0, 0}, "round trip");
  EXPECT_TRUE(d.to_device(Device::cuda).same_data(d));
  // A view of rows 1..2 copies only those rows.
  test::expect_close(test::to_host(d.narrow0(1, 2)), x.narrow0(1, 2), {0, 0}, "narrow0");
}

TEST(TensorCuda, ZeroAndFillOnDevice) {
  CTC_REQUIRE_CUDA();
  Tensor d = Tensor::empty({1001}, DType::f32, Device::cuda);
  d.fill(2.5);
  for (double v : test::to_host(d).to_double_vector()) ASSERT_EQ(v, 2.5);
  d.zero();
  for (double v : test::to_host(d).to_double_vector()) ASSERT_EQ(v, 0.0);
  Tensor z = Tensor::zeros({3}, DType::i64, Device::cuda);
  EXPECT_EQ(test::to_host(z).item(2), 0.0);
}

TEST(TensorCuda, OutOfMemoryNamesBytes) {
  CTC_REQUIRE_CUDA();
  // 1 PiB: more than any GPU has.
  test::expect_error_containing([] { Tensor::empty({std::int64_t{1} << 48}, DType::f32, Device::cuda); },
                                "bytes free");
}

}  // namespace
}  // namespace ctcscope
