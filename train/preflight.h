// Checks made before a run starts, so that a problem that would otherwise
// surface hours later (at the first checkpoint, or at a bad image in the
// middle of an epoch) stops the run at once with a clear error:
//  - the output folder is writable (a probe file is created, fsynced and
//    removed) and its file system has room for the run's files;
//  - every image the run reads decodes (all bad files are listed, not just
//    the first).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/cell_image.h"
#include "data/manifest.h"

namespace ctcscope {

struct DiskSpace {
  std::uint64_t available_bytes = 0;  // to an unprivileged user (statvfs f_bavail)
  bool read_only = false;             // mounted read-only (ST_RDONLY)
};

// statvfs of the folder; throws ctcscope::Error when it cannot be asked.
DiskSpace disk_space(const std::string& dir);

// The bytes a training run writes at its peak: best.safetensors (the model's
// state_dict) and last.safetensors (state_dict + AdamW's two moments), each
// momentarily twice while its replacement is written under a temporary
// name, plus 1 MiB for the CSV, JSON and report files.
std::uint64_t training_output_bytes(std::int64_t state_dict_bytes, std::int64_t parameter_bytes);

// Throws ctcscope::Error naming the folder when it is on a read-only file
// system, cannot be written (the probe file fails), or has fewer than
// bytes_needed available (the error gives both numbers). `space` is
// disk_space unless a test injects another.
void check_output_folder(const std::string& dir, std::uint64_t bytes_needed,
                         const std::function<DiskSpace(const std::string&)>& space = disk_space);

// Decodes each image (paths relative to the manifest's folder, each once)
// with its channel's read options (colour channel, TIFF page). Throws one
// ctcscope::Error that counts the files that failed and quotes the first ten
// errors (each names its file and what is wrong).
struct ImageToCheck {
  std::string relative;
  Channel channel = Channel::bf;
  auto operator<=>(const ImageToCheck&) const = default;
};
void check_images(const Manifest& manifest, const std::vector<ImageToCheck>& images,
                  const CellImageSettings& settings = {});

}  // namespace ctcscope
