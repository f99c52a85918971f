// The loader's host-allocator hook joined to the pinned pool: batches in
// page-locked memory (where a GPU answers) are the same batches, bit for bit.
// Runs with or without a GPU.
#include <gtest/gtest.h>



#include "data/loader.h"
#include "data/synth.h"
#include "tensor/device.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

std::vector<Batch> one_epoch(const Manifest& manifest, const std::vector<TrainingItem>& items,
                             bool pinned) {
  LoaderOptions o;
  o.batch_size = 6;
  o.input_size = 16;
  if (pinned) o.host_allocator = Tensor::empty_pinned;
  BatchLoader loader(manifest, items, o);
  loader.start_epoch(1);
  std::vector<Batch> out;
  Batch b;
  while (loader.next(b)) out.push_back(b);
  return out;
}

TEST(LoaderPinned, PinnedBatchesAreTheSameBatches) {
  const std::string dir = test::fresh_test_dir("loader_pinned");
  SynthOptions so;
  so.spike_in = 6;
  so.patient_ctc = 2;
  so.patients = 1;
  so.leukocytes = 7;
  synth_dataset(dir, so);
  const Manifest manifest = read_manifest(dir);
  std::vector<TrainingItem> items;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(manifest.cells.size()); ++i) {
    items.push_back(TrainingItem{i, Channel::bf, AugmentKind::none, 0});
  }
  const std::vector<Batch> plain = one_epoch(manifest, items, false);
  const std::vector<Batch> pinned = one_epoch(manifest, items, true);
  ASSERT_EQ(plain.size(), pinned.size());
  ASSERT_GT(plain.size(), 1u);
  for (std::size_t i = 0; i < plain.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(pinned[i].images.pinned(), cuda_available());
    EXPECT_EQ(pinned[i].labels.pinned(), cuda_available());
    test::expect_close(pinned[i].images, plain[i].images, {0, 0}, "images");
    test::expect_close(pinned[i].labels, plain[i].labels, {0, 0}, "labels");
  }
}

}  // namespace
}  // namespace ctcscope
