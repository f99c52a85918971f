// The per-layer profiler. Attached to a model, it records for every leaf
// module (Conv2d, BatchNorm2d, ReLU, ...), under its torchvision path name
// ("layer1.0.conv1"), the forward and backward time, the calls, and the FLOPs
// and bytes its cost() states; and the model's own forward and backward as
// the total. Only leaves are timed, so the leaf rows and one row for the work
// between them (residual adds, concatenations, reshapes) add up to the total.
// CPU: wall time (steady_clock). CUDA: cudaEvent pairs on the stream, read
// once at the end, and NVTX ranges of the same names for Nsight Systems.
// Detached, a module pays one branch per call (layers/module.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/gpu_intervals.h"
#include "layers/module.h"

namespace ctcscope {

// One module's record; Module::forward and backward fill it.
struct LayerProfile {
  std::string name;   // "layer1.0.conv1"; the model's own: its name ("resnet50")
  std::string kind;   // "Conv2d": describe() up to its "("
  Device device = Device::cpu;
  Shape input_shape;  // of the first forward
  std::int64_t forward_calls = 0, backward_calls = 0;
  double forward_cpu_ms = 0, backward_cpu_ms = 0;  // CPU only; CUDA reads its intervals
  GpuIntervals forward_gpu, backward_gpu;
  LayerCost last_cost;  // of the last forward, which the next backward undoes
  double flops = 0, bytes = 0;  // forward and backward, summed over the calls
  std::chrono::steady_clock::time_point started;

  void forward_started(const Module& module, const Tensor& x);
  void forward_stopped();
  void backward_started();
  void backward_stopped();
};

// One line of the table; times and amounts summed over every profiled call.
struct ProfileRow {
  std::string name, kind, shape;  // shape: the input's, "16x64x37x37"
  std::int64_t calls = 0;         // forward calls
  double forward_ms = 0, backward_ms = 0, flops = 0, bytes = 0;
  double ms() const { return forward_ms + backward_ms; }
};

struct ProfileResult {
  // One per leaf, in the model's order, then kBetweenLayers: the total's
  // time less the leaves' (no FLOPs or bytes counted for it).
  std::vector<ProfileRow> rows;
  ProfileRow total;  // the model's own forward and backward; calls: its forward calls (steps)
};

inline constexpr const char* kBetweenLayers = "(between layers)";

class Profiler {
 public:
  // `device`: where the model runs, which says how time is measured.
  explicit Profiler(Device device) : device_(device) {}
  ~Profiler() { detach(); }
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  // Records `model` (named `model_name`) from now on. One model at a time;
  // attaching again starts new records. The model must outlive the
  // attachment (detach, or the Profiler's end).
  void attach(Module& model, const std::string& model_name);
  // Stops recording; what was recorded stays.
  void detach();
  bool attached() const { return !modules_.empty(); }
  // What was recorded so far (on CUDA this waits for the GPU).
  ProfileResult result();

 private:
  void add_leaves(Module& module, const std::string& prefix);

  Device device_;
  std::vector<Module*> modules_;  // the model first, then its leaves
  std::vector<std::unique_ptr<LayerProfile>> profiles_;  // parallel to modules_
};

}  // namespace ctcscope
