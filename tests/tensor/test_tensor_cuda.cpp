// Tensors on the GPU: the clear error without a device (runs everywhere),
// copies both ways, zero/fill on the device, pinned buffers and tensors,
// overlapped uploads.
#include <gtest/gtest.h>

#include "tensor/device.h"
#include "tensor/pinned.h"
#include "tensor/upload.h"
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

// Tensor::empty_pinned: page-locked where a GPU answers, plain memory
// elsewhere, and a freed one's buffer is taken again by the next of its size
// (no cudaMallocHost / cudaFreeHost per batch).
TEST(TensorCuda, PinnedTensorsComeFromAPoolThatReusesBuffers) {
  Tensor a = Tensor::empty_pinned({16, 3, 8, 8}, DType::f32);
  EXPECT_EQ(a.device(), Device::cpu);
  EXPECT_EQ(a.pinned(), cuda_available());
  a.fill(1.5);
  EXPECT_EQ(a.item(3071), 1.5);
  const void* first = a.raw_data();
  a = Tensor();
  Tensor b = Tensor::empty_pinned({16, 3, 8, 8}, DType::f32);
  EXPECT_EQ(b.raw_data(), first);
  Tensor c = Tensor::empty_pinned({16, 3, 8, 8}, DType::f32);  // b still holds that one
  EXPECT_NE(c.raw_data(), first);
  EXPECT_FALSE(Tensor::empty({4}).pinned());
}

TEST(TensorCuda, UploaderToTheCpuIsTheTensorItself) {
  Uploader upload;
  Tensor h = Tensor::empty_pinned({5}, DType::i64);
  EXPECT_TRUE(upload.to_device(h, Device::cpu).same_data(h));
}

// Batches of two shapes uploaded one after another while the GPU works on
// the ones before (a device-to-device copy of each), the host tensors dropped
// at once and their buffers refilled by the next batches: every upload
// arrives whole, bit for bit.
TEST(TensorCuda, UploaderDeliversEveryBatchWhileTheHostRefills) {
  CTC_REQUIRE_CUDA();
  Uploader upload;
  std::vector<Tensor> want, got;
  for (std::uint64_t i = 0; i < 8; ++i) {
    const Shape shape{i == 5 ? 3 : 16, 3, 64, 64};  // a short batch, as an epoch's last
    Tensor host = Tensor::empty_pinned(shape, DType::f32);
    host.copy_from(random_normal(shape, Seed{"upload.batch", i}));
    want.push_back(host.clone());
    Tensor on_gpu = upload.to_device(host, Device::cuda);
    host = Tensor();  // the uploader keeps it until its copy is done
    EXPECT_EQ(on_gpu.device(), Device::cuda);
    got.push_back(on_gpu.clone());  // queued on the engine's stream after the copy
  }
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    test::expect_close(test::to_host(got[i]), want[i], {0, 0}, "uploaded batch");
  }
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
