// The batch loader: item images, normalisation, epoch order and the
// background worker with its bounded queue.
#include "data/loader.h"

#include <algorithm>
#include <utility>

#include "data/resize.h"
#include "base/error.h"
#include "tensor/random.h"

namespace ctcscope {

std::int64_t label_index(CellLabel label) { return label == CellLabel::ctc ? kLabelCtc : kLabelLeukocyte; }

Image load_resized(const Manifest& manifest, const TrainingItem& item, std::int64_t size,
                   const CellImageSettings& settings) {
  CTC_CHECK(item.cell >= 0 && item.cell < static_cast<std::int64_t>(manifest.cells.size()), "item ",
            item_str(item), ": cell index out of range (", manifest.cells.size(), " cells)");
  const CellRecord& cell = manifest.cells[static_cast<std::size_t>(item.cell)];
  const std::string& rel = item.channel == Channel::bf ? cell.bf : cell.dapi;
  std::string path = manifest.root;
  if (!path.empty() && path.back() != '/') path.push_back('/');
  path.append(rel);
  try {
    CTC_CHECK(!rel.empty(), "the cell has no ", channel_name(item.channel), " image");
    Image gray = read_cell_image(path, item.channel, settings);
    if (gray.height == size && gray.width == size) return gray;
    return resize(gray, size, size);
  } catch (const std::exception& e) {
    CTC_FAIL("loading cell '", cell.cell_id, "' (", item_str(item), ") from ", path, ": ", e.what());
  }
}

Image augment_item(const Image& resized, const TrainingItem& item, AugmentMode mode, std::int64_t epoch,
                   std::uint64_t seed) {
  if (item.augment == AugmentKind::none) return resized;
  return apply_augment(resized, draw_augment(item.augment, augment_seed(item, mode, epoch, seed)));
}

Image load_item_image(const Manifest& manifest, const TrainingItem& item, std::int64_t size, AugmentMode mode,
                      std::int64_t epoch, std::uint64_t seed, const CellImageSettings& settings) {
  return augment_item(load_resized(manifest, item, size, settings), item, mode, epoch, seed);
}

void normalize_gray_to_chw(const Image& gray, float* dst) {
  CTC_CHECK(gray.channels == 1, "normalize_gray_to_chw: expected a gray image, got ", gray.channels, " channels");
  const std::size_t plane = gray.pixels.size();
  for (int c = 0; c < 3; ++c) {
    const float mean = kImageNetMean[c], inv_std = 1.0f / kImageNetStd[c];
    float* out = dst + static_cast<std::size_t>(c) * plane;
    for (std::size_t i = 0; i < plane; ++i) out[i] = (gray.pixels[i] - mean) * inv_std;
  }
}

std::vector<std::int64_t> epoch_order(std::int64_t n, std::int64_t epoch, std::uint64_t seed, bool shuffle) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  if (!shuffle) return order;
  Philox rng(Seed{"loader.shuffle", static_cast<std::uint64_t>(epoch), seed});
  for (std::int64_t i = n - 1; i > 0; --i) {
    // 64 random bits modulo at most 2^36 items: the bias is below 2^-28.
    auto j = static_cast<std::int64_t>(rng.bits64(static_cast<std::uint64_t>(i)) % static_cast<std::uint64_t>(i + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

BatchLoader::BatchLoader(Manifest manifest, std::vector<TrainingItem> items, LoaderOptions options)
    : manifest_(std::move(manifest)), items_(std::move(items)), options_(std::move(options)) {
  CTC_CHECK(options_.batch_size > 0, "loader: batch size must be positive, got ", options_.batch_size);
  CTC_CHECK(options_.input_size > 0, "loader: input size must be positive, got ", options_.input_size);
  CTC_CHECK(options_.prefetch > 0, "loader: prefetch must be positive, got ", options_.prefetch);
  CTC_CHECK(options_.threads > 0, "loader: threads must be positive, got ", options_.threads);
  for (const TrainingItem& item : items_) {
    CTC_CHECK(item.cell >= 0 && item.cell < static_cast<std::int64_t>(manifest_.cells.size()), "loader: item ",
              item_str(item), " names a cell out of range (", manifest_.cells.size(), " cells)");
    labels_.push_back(label_index(manifest_.cells[static_cast<std::size_t>(item.cell)].label));
  }
  if (options_.cache) cache_.resize(2 * manifest_.cells.size());
}

BatchLoader::~BatchLoader() { stop_worker(); }

std::int64_t BatchLoader::batches_per_epoch() const {
  std::int64_t n = size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

void BatchLoader::stop_worker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void BatchLoader::start_epoch(std::int64_t epoch) {
  stop_worker();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.clear();
    stop_ = false;
    done_ = false;
    error_ = nullptr;
  }
  worker_ = std::thread([this, epoch] { run_epoch(epoch); });
}

bool BatchLoader::next(Batch& batch) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !queue_.empty() || done_ || error_; });
  if (!queue_.empty()) {
    batch = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();
    return true;
  }
  if (error_) {
    std::exception_ptr e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
  }
  return false;
}

void BatchLoader::run_epoch(std::int64_t epoch) {
  try {
    std::vector<std::int64_t> order = epoch_order(size(), epoch, options_.seed, options_.shuffle);
    const std::int64_t batches = batches_per_epoch();
    for (std::int64_t b = 0; b < batches; ++b) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stop_) return;
      }
      Batch batch = make_batch(epoch, b, order);
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stop_ || static_cast<int>(queue_.size()) < options_.prefetch; });
      if (stop_) return;
      queue_.push_back(std::move(batch));
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
}

Image BatchLoader::resized_image(const TrainingItem& item) {
  if (!options_.cache) return load_resized(manifest_, item, options_.input_size, options_.images);
  std::size_t key = static_cast<std::size_t>(item.cell) * 2 + (item.channel == Channel::dapi ? 1 : 0);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_[key]) return *cache_[key];
  }
  // Two threads may decode the same image at once; both get the same pixels.
  auto image = std::make_shared<const Image>(load_resized(manifest_, item, options_.input_size, options_.images));
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (!cache_[key]) cache_[key] = image;
  return *image;
}

Batch BatchLoader::make_batch(std::int64_t epoch, std::int64_t index, const std::vector<std::int64_t>& order) {
  const std::int64_t first = index * options_.batch_size;
  const std::int64_t n = std::min(options_.batch_size, size() - first);
  const std::int64_t S = options_.input_size;
  const Shape image_shape{n, 3, S, S};
  Batch batch;
  batch.epoch = epoch;
  batch.index = index;
  batch.images = options_.host_allocator ? options_.host_allocator(image_shape, DType::f32)
                                         : Tensor::empty(image_shape, DType::f32);
  batch.labels = options_.host_allocator ? options_.host_allocator(Shape{n}, DType::i64)
                                         : Tensor::empty(Shape{n}, DType::i64);
  batch.items.assign(order.begin() + first, order.begin() + first + n);
  float* images = batch.images.data<float>();
  std::int64_t* labels = batch.labels.data<std::int64_t>();

  // Rows r = t, t + threads, ...: each row's pixels depend only on its item,
  // so the split does not change the batch.
  auto load_rows = [&](int t) {
    for (std::int64_t r = t; r < n; r += options_.threads) {
      std::int64_t position = batch.items[static_cast<std::size_t>(r)];
      const TrainingItem& item = items_[static_cast<std::size_t>(position)];
      Image image = augment_item(resized_image(item), item, options_.augment_mode, epoch, options_.seed);
      normalize_gray_to_chw(image, images + r * 3 * S * S);
      labels[r] = labels_[static_cast<std::size_t>(position)];
    }
  };
  const int helpers = static_cast<int>(std::min<std::int64_t>(options_.threads, n)) - 1;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(helpers) + 1);
  std::vector<std::thread> threads;
  for (int t = 1; t <= helpers; ++t) {
    threads.emplace_back([&, t] {
      try {
        load_rows(t);
      } catch (...) {
        errors[static_cast<std::size_t>(t)] = std::current_exception();
      }
    });
  }
  try {
    load_rows(0);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (std::thread& th : threads) th.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return batch;
}

}  // namespace ctcscope
