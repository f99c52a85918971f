// Training on the GPU where none answers: refused before anything is
// written. A CPU-only test by nature (it skips where a GPU answers, so it is
// kept out of the GPU programs that tools/gpu_check.sh runs, where nothing may skip).
#include <gtest/gtest.h>

#include <filesystem>

#include "tensor/device.h"
#include "tests/support/test_util.h"
#include "tests/train/train_fixture.h"
#include "train/trainer.h"

namespace ctcscope {
namespace {

TrainConfig gpu_config(const std::string& dir) {
  TrainConfig c = test::tiny_config(dir);
  c.device = Device::cuda;
  return c;
}

TEST(TrainerDevice, CudaWithoutAGpuIsRefusedBeforeAnythingIsWritten) {
  std::string why;
  if (cuda_device_count(&why) > 0) GTEST_SKIP() << "a GPU answers here: the refusal cannot be shown";
  const std::string dir = test::fresh_run_dir("no_gpu");
  test::expect_error_containing([&] { train_run(gpu_config(dir), false, "test"); },
                                "device cuda: no GPU to train on");
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace ctcscope
