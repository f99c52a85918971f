// write_pth: the zip a state_dict's torch.save makes, read back by ctcscope's
// own .pth reader (names, order, dtypes, shapes and values exactly; a scalar
// and an empty name list included). torch.load of it is tested in
// tests/train/slow_test_torchvision_export.cpp.
#include <gtest/gtest.h>

#include "formats/state_dict.h"
#include "tensor/random.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(PthWriter, ReadsBackExactlyThroughThePthReader) {
  const std::string path = test::fresh_test_dir("pth_writer") + "/sd.pth";
  StateDict sd = {{"conv.weight", random_normal({4, 3, 3, 3}, Seed{"test.pth", 0, 1})},
                  {"bn.running_var", random_uniform({4}, Seed{"test.pth", 1, 1}, 0.5, 2.0, DType::f64)},
                  {"bn.num_batches_tracked", Tensor::from_vector(std::vector<std::int64_t>{12345}, {})},
                  {"fc.bias", random_normal({2}, Seed{"test.pth", 2, 1})}};
  write_pth(path, sd);
  const StateDict back = read_pth(path);
  ASSERT_EQ(back.size(), sd.size());
  for (std::size_t k = 0; k < sd.size(); ++k) {
    EXPECT_EQ(back[k].name, sd[k].name);
    EXPECT_EQ(back[k].tensor.dtype(), sd[k].tensor.dtype()) << sd[k].name;
    EXPECT_EQ(back[k].tensor.shape(), sd[k].tensor.shape()) << sd[k].name;
    EXPECT_EQ(back[k].tensor.to_double_vector(), sd[k].tensor.to_double_vector()) << sd[k].name;
  }
  write_pth(path, {});
  EXPECT_TRUE(read_pth(path).empty());
}

TEST(PthWriter, DtypesItDoesNotWriteAreRefusedNamingTheTensor) {
  const std::string path = test::fresh_test_dir("pth_writer_dtype") + "/sd.pth";
  Tensor bytes = Tensor::zeros({3}, DType::u8);
  test::expect_error_containing([&] { write_pth(path, {{"mask", bytes}}); }, "tensor 'mask'");
}

}  // namespace
}  // namespace ctcscope
