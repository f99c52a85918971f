// Tensor storage, views, conversions and checks.
#include <gtest/gtest.h>

#include <cstdint>

#include "tensor/tensor.h"

namespace ctcscope {
namespace {

TEST(Tensor, StorageIs64ByteAlignedAndShared) {
  Tensor a = Tensor::zeros({3, 5, 7});
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.raw_data()) % 64, 0u);
  EXPECT_EQ(a.numel(), 105);
  EXPECT_EQ(a.nbytes(), 420u);
  Tensor b = a;  // shares storage
  b.data<float>()[4] = 2.5f;
  EXPECT_EQ(a.item(4), 2.5);
  EXPECT_EQ(a.use_count(), 2);
  Tensor c = a.clone();
  c.data<float>()[4] = 1.0f;
  EXPECT_EQ(a.item(4), 2.5);
}

TEST(Tensor, ViewsShareData) {
  Tensor a = Tensor::from_vector(std::vector<float>{0, 1, 2, 3, 4, 5}, {3, 2});
  Tensor rows = a.narrow0(1, 2);
  EXPECT_EQ(rows.shape(), (Shape{2, 2}));
  EXPECT_EQ(rows.item(0), 2.0);
  Tensor flat = a.reshape({6});
  EXPECT_TRUE(flat.same_data(a));
  EXPECT_THROW(a.reshape({4}), Error);
  EXPECT_THROW(a.narrow0(2, 2), Error);
}

TEST(Tensor, SizeAcceptsNegativeIndexAndChecksRange) {
  Tensor a = Tensor::empty({2, 3, 4});
  EXPECT_EQ(a.size(-1), 4);
  EXPECT_EQ(a.size(0), 2);
  EXPECT_THROW(a.size(3), Error);
  EXPECT_EQ(a.describe(), "f32[2,3,4] on cpu");
}

TEST(Tensor, TypedAccessChecksDtype) {
  Tensor a = Tensor::zeros({2}, DType::f64);
  EXPECT_NO_THROW(a.data<double>());
  try {
    a.data<float>();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor holds f64, asked for f32"), std::string::npos);
  }
}

TEST(Tensor, ConvertsBetweenFloatTypes) {
  Tensor a = Tensor::from_vector(std::vector<float>{1.5f, -2.25f}, {2});
  Tensor d = a.to(DType::f64);
  EXPECT_EQ(d.dtype(), DType::f64);
  EXPECT_EQ(d.item(1), -2.25);
  EXPECT_EQ(d.to(DType::f32).item(0), 1.5);
}

TEST(Tensor, CudaAllocationFailsClearlyWithoutBackend) {
#ifdef CTC_WITH_CUDA
  // With the backend the answer depends on the machine: TensorCuda.NoDeviceGivesClearError.
  return;
#endif
  try {
    Tensor::empty({4}, DType::f32, Device::cuda);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no CUDA backend"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ctcscope
