// Writes the seed corpora for the fuzz targets with the project's own
// writers, so the seeds are valid files the fuzzer mutates from:
//   make_corpus OUTDIR   ->  OUTDIR/{png,tiff,manifest,safetensors,pth,checkpoint}/...
// The .pth seeds are the committed fixtures PyTorch wrote
// (tests/formats/fixtures), copied by tools/fuzz.sh.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "data/manifest.h"
#include "data/png.h"
#include "data/tiff.h"
#include "models/checkpoint.h"
#include "tensor/random.h"
#include "formats/state_dict.h"

namespace fs = std::filesystem;
using namespace ctcscope;

namespace {

Image gradient(std::int64_t c, std::int64_t h, std::int64_t w) {
  Image im(c, h, w);
  for (std::int64_t k = 0; k < c; ++k)
    for (std::int64_t y = 0; y < h; ++y)
      for (std::int64_t x = 0; x < w; ++x) im.at(k, y, x) = float((x + 2 * y + 3 * k) % 17) / 16.0f;
  return im;
}


StateDict small_state() {
  StateDict sd;
  sd.push_back({"conv.weight", random_normal({2, 1, 3, 3}, Seed{"corpus", 0})});
  sd.push_back({"bn.running_var", Tensor::full({2}, 1.0)});
  sd.push_back({"bn.num_batches_tracked", Tensor::zeros({}, DType::i64)});
  return sd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_corpus OUTDIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  for (const char* d : {"png", "tiff", "manifest", "safetensors", "checkpoint"}) fs::create_directories(out / d);

  int n = 0;
  for (int c : {1, 3})
    for (int depth : {8, 16}) write_png((out / "png" / ("seed" + std::to_string(n++) + ".png")).string(), gradient(c, 5, 7), depth);
  write_png((out / "png" / "one_pixel.png").string(), gradient(1, 1, 1), 8);

  // One seed per layout and codec the TIFF reader decodes, small enough to
  // mutate quickly: 20 x 18 gives a partial last strip and partial tiles.
  n = 0;
  const auto tiff_seed = [&](int channels, const TiffWriteOptions& o, int pages = 1) {
    const std::vector<Image> images(static_cast<std::size_t>(pages), gradient(channels, 18, 20));
    write_tiff((out / "tiff" / ("seed" + std::to_string(n++) + ".tif")).string(), images, o);
  };
  for (TiffCompression c : {TiffCompression::none, TiffCompression::lzw, TiffCompression::deflate,
                            TiffCompression::packbits}) {
    TiffWriteOptions o;
    o.compression = c;
    tiff_seed(1, o);
    o.bit_depth = 16;
    o.tiles = true;
    tiff_seed(3, o);
  }
  TiffWriteOptions planar;
  planar.planar = true;
  tiff_seed(3, planar);
  TiffWriteOptions white;
  white.min_is_white = true;
  white.bit_depth = 16;
  tiff_seed(1, white, 2);  // two pages

  std::vector<CellRecord> cells;
  for (int i = 0; i < 4; ++i) {
    CellRecord r;
    r.cell_id = "cell " + std::to_string(i) + (i == 2 ? ",\"quoted\"" : "");
    r.label = i % 2 ? CellLabel::ctc : CellLabel::leukocyte;
    r.source = i % 2 ? CellSource::spike_in : CellSource::healthy;
    r.patient = i == 3 ? "" : "P" + std::to_string(i);
    r.bf = "bf/" + std::to_string(i) + ".png";
    r.dapi = i == 1 ? "" : "dapi/" + std::to_string(i) + ".png";
    cells.push_back(r);
  }
  write_manifest_file((out / "manifest" / "four_cells.csv").string(), cells);
  cells.resize(1);
  write_manifest_file((out / "manifest" / "one_cell.csv").string(), cells);

  write_safetensors((out / "safetensors" / "small.safetensors").string(), small_state(), {{"note", "seed"}});
  write_safetensors((out / "safetensors" / "empty.safetensors").string(), {});

  // A checkpoint file as save_checkpoint writes it, over a small payload (the
  // verified-file reader does not build the model, so any tensors will do).
  StateDict payload = small_state();
  Metadata m;
  m["format"] = "ctcscope-checkpoint";
  m["format_version"] = std::to_string(kCheckpointFormatVersion);
  m["architecture"] = "resnet18";
  m["classes"] = "leukocyte,ctc";
  m["input_size"] = "148";
  m["mean"] = "0.485,0.456,0.406";
  m["std"] = "0.229,0.224,0.225";
  m["training_config"] = "{\"epochs\": 1}";
  m["software_version"] = "ctcscope corpus";
  m["payload_sha256"] = checkpoint_payload_sha256(payload);
  write_safetensors((out / "checkpoint" / "small.ckpt.safetensors").string(), payload, m);
  std::cout << "make_corpus: seeds written under " << out << "\n";
  return 0;
}
