// Batches to the GPU while it still works on the previous step: each copy
// runs on a second stream (from a pinned tensor, Tensor::empty_pinned, it
// does not hold the host either), and the engine's stream waits for it
// before any later op, so the result is used as any GPU tensor.
//   Uploader upload;                                  // beside the loader
//   Tensor images = upload.to_device(batch.images, device);
//   Tensor labels = upload.to_device(batch.labels, device);
// The destination of each upload is allocated at the upload of that shape
// before it, when the engine's stream was at the end of the step before, so
// the copy need wait only for that step, not for the one queued now (the
// first upload of a shape waits for everything queued).
// Usable in every build: on the CPU, or without the CUDA backend, it is
// Tensor::to_device.
#pragma once

#include <memory>

#include "tensor/tensor.h"

namespace ctcscope {

class Uploader {
 public:
  Uploader();
  ~Uploader();  // waits for its copies still in flight
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  // `host` (a CPU tensor) on `device`: itself for the CPU, else a new GPU
  // tensor whose copy is queued. `host` is kept alive until its copy is done,
  // and must not be written meanwhile (the loader makes a new one per batch).
  Tensor to_device(const Tensor& host, Device device);

 private:
  struct Streams;
  std::unique_ptr<Streams> streams_;  // CUDA builds, from the first GPU upload
};

}  // namespace ctcscope
