// The batch loader: over a list of training items it shuffles each epoch
// (seeded), loads each image (file -> gray -> intensity -> resize -> augment
// -> 3 channels -> ImageNet normalisation) and assembles NCHW f32 batches with i64 labels on
// a background thread, a bounded queue of batches ahead of the caller.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "data/cell_image.h"
#include "data/expansion.h"
#include "data/image.h"
#include "data/manifest.h"
#include "data/resize.h"
#include "tensor/tensor.h"

namespace ctcscope {

// Labels: 1 = ctc (the positive class of the paper's metrics), 0 = leukocyte.
inline constexpr std::int64_t kLabelLeukocyte = 0;
inline constexpr std::int64_t kLabelCtc = 1;
std::int64_t label_index(CellLabel label);

// torchvision's ImageNet normalisation, what the pretrained weights expect.
inline constexpr float kImageNetMean[3] = {0.485f, 0.456f, 0.406f};
inline constexpr float kImageNetStd[3] = {0.229f, 0.224f, 0.225f};

// Where batch tensors are allocated. PINNED-MEMORY HOOK: the CUDA backend
// passes an allocator of page-locked host memory here (cudaHostAlloc), so a
// batch can be copied to the GPU asynchronously. Empty: ordinary CPU tensors.
using HostAllocator = std::function<Tensor(const Shape& shape, DType dtype)>;

struct LoaderOptions {
  std::int64_t batch_size = 32;
  std::int64_t input_size = kInputSize;  // height = width
  bool shuffle = true;          // Philox("loader.shuffle", epoch, seed)
  bool drop_last = false;       // drop the last partial batch of an epoch
  bool cache = true;            // keep decoded, resized images in memory
  int prefetch = 2;             // batches ready ahead of the caller (the queue bound)
  int threads = 2;              // threads loading the images of one batch
  AugmentMode augment_mode = AugmentMode::offline;
  CellImageSettings images;     // channel picks, pages, the intensity stage
  std::uint64_t seed = 0;
  HostAllocator host_allocator;  // see above
};

struct Batch {
  Tensor images;                    // f32 [N, 3, S, S], normalised
  Tensor labels;                    // i64 [N]
  std::vector<std::int64_t> items;  // each row's position in the loader's item list
  std::int64_t epoch = 0;
  std::int64_t index = 0;           // batch number within the epoch
};

// An item's image before normalisation: gray [1, S, S] in [0, 1], through
// the intensity stage, resized and augmented (augmentations act on the
// normalised image, so a brightness shift means the same on an 8-bit and a
// 16-bit file). Errors name the item, the cell and the file.
// load_resized is the first half (decode, gray, intensity, resize: what the
// cache holds), augment_item the second.
Image load_item_image(const Manifest& manifest, const TrainingItem& item, std::int64_t size,
                      AugmentMode mode, std::int64_t epoch, std::uint64_t seed,
                      const CellImageSettings& settings = {});
Image load_resized(const Manifest& manifest, const TrainingItem& item, std::int64_t size,
                   const CellImageSettings& settings = {});
Image augment_item(const Image& resized, const TrainingItem& item, AugmentMode mode, std::int64_t epoch,
                   std::uint64_t seed);

// Gray [1, S, S] replicated to 3 channels and normalised per channel:
// dst[c] = (x - mean[c]) / std[c], dst holds 3 * S * S floats.
void normalize_gray_to_chw(const Image& gray, float* dst);

// The order of the items in an epoch: a seeded Fisher-Yates shuffle, or
// 0..n-1 without shuffling.
std::vector<std::int64_t> epoch_order(std::int64_t n, std::int64_t epoch, std::uint64_t seed, bool shuffle);

class BatchLoader {
 public:
  BatchLoader(Manifest manifest, std::vector<TrainingItem> items, LoaderOptions options);
  ~BatchLoader();  // stops the worker and joins it
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  std::int64_t size() const { return static_cast<std::int64_t>(items_.size()); }
  std::int64_t batches_per_epoch() const;
  const std::vector<TrainingItem>& items() const { return items_; }
  const Manifest& manifest() const { return manifest_; }

  // Starts loading epoch `epoch` in the background, abandoning any epoch in
  // progress.
  void start_epoch(std::int64_t epoch);
  // The next batch of the current epoch; false at its end. An error of the
  // worker is thrown here, naming the file.
  bool next(Batch& batch);

 private:
  void stop_worker();
  void run_epoch(std::int64_t epoch);
  Batch make_batch(std::int64_t epoch, std::int64_t index, const std::vector<std::int64_t>& order);
  Image resized_image(const TrainingItem& item);

  Manifest manifest_;
  std::vector<TrainingItem> items_;
  std::vector<std::int64_t> labels_;  // per item
  LoaderOptions options_;

  std::mutex cache_mutex_;
  std::vector<std::shared_ptr<const Image>> cache_;  // per (cell, channel)

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  bool stop_ = false;
  bool done_ = true;
  std::exception_ptr error_;
  std::thread worker_;
};

}  // namespace ctcscope
