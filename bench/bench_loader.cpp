// Speed of the batch loader: images per second decoded (or taken from the
// cache), augmented, normalised and batched at 148x148, over a generated
// dataset in a temporary folder, BF_DAPI expansion, batch 32. One iteration
// is one epoch; "images/s" counts the items delivered to the caller per
// second of wall time; the CPU column is the whole process's (all threads),
// so images per CPU-second is what the loader would give on idle cores.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>

#include "data/expansion.h"
#include "data/loader.h"
#include "data/synth.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

struct Dataset {
  fs::path dir;
  Manifest manifest;
  std::vector<TrainingItem> items;
  Dataset() {
    dir = fs::temp_directory_path() / std::string("ctc_bench_loader_").append(std::to_string(::getpid()));
    SynthOptions o;
    o.spike_in = 60;
    o.patient_ctc = 0;
    o.leukocytes = 60;
    synth_dataset(dir.string(), o);
    manifest = read_manifest(dir.string());
    std::vector<std::int64_t> all;
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(manifest.cells.size()); ++i) all.push_back(i);
    items = expand_training(manifest.cells, all, Ablation::bf_dapi);  // 600 items
  }
  ~Dataset() { fs::remove_all(dir); }
};

const Dataset& dataset() {
  static Dataset d;
  return d;
}

// Args: cache (0/1), threads, online augmentation (0/1).
void BM_LoaderEpoch(benchmark::State& st) {
  const Dataset& d = dataset();
  LoaderOptions o;
  o.batch_size = 32;
  o.cache = st.range(0) != 0;
  o.threads = static_cast<int>(st.range(1));
  o.augment_mode = st.range(2) != 0 ? AugmentMode::online : AugmentMode::offline;
  BatchLoader loader(d.manifest, d.items, o);
  if (o.cache) {  // fill the cache outside the timing
    loader.start_epoch(0);
    Batch b;
    while (loader.next(b)) {
    }
  }
  std::int64_t epoch = 1;
  for (auto _ : st) {
    loader.start_epoch(epoch++);
    Batch b;
    while (loader.next(b)) benchmark::DoNotOptimize(b.images.data<float>());
  }
  st.counters["images/s"] =
      benchmark::Counter(static_cast<double>(d.items.size()), benchmark::Counter::kIsIterationInvariantRate);
  st.SetLabel(std::string(o.cache ? "cache" : "decode").append(o.augment_mode == AugmentMode::online ? ",online" : ",offline"));
}
BENCHMARK(BM_LoaderEpoch)
    ->ArgNames({"cache", "threads", "online"})
    ->Args({0, 1, 0})
    ->Args({0, 2, 0})
    ->Args({1, 1, 0})
    ->Args({1, 2, 0})
    ->Args({1, 2, 1})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// One item's steps, for where the time goes: decode+gray+resize, then each augmentation.
void BM_LoadResized(benchmark::State& st) {
  const Dataset& d = dataset();
  std::size_t i = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(load_resized(d.manifest, d.items[i % d.items.size()], kInputSize));
    i += 5;
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_LoadResized);

void BM_Augment(benchmark::State& st) {
  const Dataset& d = dataset();
  const auto kind = static_cast<AugmentKind>(st.range(0));
  Image image = load_resized(d.manifest, d.items[0], kInputSize);
  std::uint64_t i = 0;
  for (auto _ : st) benchmark::DoNotOptimize(apply_augment(image, draw_augment(kind, Seed{"bench", i++, 0})));
  st.SetItemsProcessed(st.iterations());
  st.SetLabel(augment_kind_name(kind));
}
BENCHMARK(BM_Augment)->Arg(1)->Arg(2)->Arg(3);

}  // namespace
}  // namespace ctcscope

BENCHMARK_MAIN();
