// Uploader (tensor/upload.h): a copy stream, events, and the destination
// allocated one upload ahead.
#include "tensor/upload.h"

#include <utility>
#include <vector>

#ifdef CTC_WITH_CUDA
#include "tensor/cuda_check.h"
#include "tensor/cuda_memory.h"
#endif

namespace ctcscope {

#ifdef CTC_WITH_CUDA

namespace {

cudaEvent_t record(cudaStream_t stream) {
  cudaEvent_t e = nullptr;
  CTC_CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  CTC_CUDA_CHECK(cudaEventRecord(e, stream));
  return e;
}

}  // namespace

// A destination allocated ahead, and the event after which the engine's
// stream no longer touches its memory.
struct Ahead {
  Tensor tensor;
  cudaEvent_t free = nullptr;
};

// One destination ahead per shape in use (a batch's images and labels, an
// epoch's short last batch), the oldest dropped past this many.
constexpr std::size_t kShapesAhead = 4;

struct Uploader::Streams {
  cudaStream_t copy = nullptr;
  std::vector<Ahead> ahead;
  // Host tensors whose copies may still run, with their copies' events.
  std::vector<std::pair<Tensor, cudaEvent_t>> in_flight;

  Streams() { CTC_CUDA_CHECK(cudaStreamCreateWithFlags(&copy, cudaStreamNonBlocking)); }
  ~Streams() {
    (void)cudaStreamSynchronize(copy);
    for (auto& [host, done] : in_flight) (void)cudaEventDestroy(done);
    for (Ahead& a : ahead) (void)cudaEventDestroy(a.free);
    (void)cudaStreamDestroy(copy);
  }

  // A device tensor like `host`, and the event the copy must wait for.
  Ahead destination(const Tensor& host) {
    for (std::size_t i = 0; i < ahead.size(); ++i) {
      if (ahead[i].tensor.shape() == host.shape() && ahead[i].tensor.dtype() == host.dtype()) {
        Ahead a = std::move(ahead[i]);
        ahead.erase(ahead.begin() + static_cast<std::ptrdiff_t>(i));
        return a;
      }
    }
    // Waits for all queued work: no overlap this time.
    return Ahead{Tensor::empty(host.shape(), host.dtype(), Device::cuda), record(cuda_stream())};
  }

  // Allocated now, while the engine's stream holds only the step before.
  void allocate_ahead(const Tensor& host) {
    if (ahead.size() == kShapesAhead) {
      CTC_CUDA_CHECK(cudaEventDestroy(ahead.front().free));
      ahead.erase(ahead.begin());
    }
    Tensor t = Tensor::empty(host.shape(), host.dtype(), Device::cuda);
    ahead.push_back(Ahead{t, record(cuda_stream())});
  }

  void forget_finished() {
    std::vector<std::pair<Tensor, cudaEvent_t>> still;
    for (auto& [host, done] : in_flight) {
      if (cudaEventQuery(done) == cudaSuccess) {
        CTC_CUDA_CHECK(cudaEventDestroy(done));
      } else {
        (void)cudaGetLastError();  // cudaErrorNotReady is not an error here
        still.emplace_back(std::move(host), done);
      }
    }
    in_flight = std::move(still);
  }
};

Uploader::Uploader() = default;
Uploader::~Uploader() = default;

Tensor Uploader::to_device(const Tensor& host, Device device) {
  CTC_CHECK(host.defined(), "Uploader::to_device: undefined tensor");
  if (device == host.device()) return host;
  CTC_CHECK(host.device() == Device::cpu, "Uploader::to_device: ", host.describe(),
            " is not a host tensor");
  if (!streams_) streams_ = std::make_unique<Streams>();
  Streams& s = *streams_;
  s.forget_finished();
  Ahead dst = s.destination(host);
  CTC_CUDA_CHECK(cudaStreamWaitEvent(s.copy, dst.free, 0));
  CTC_CUDA_CHECK(cudaEventDestroy(dst.free));
  CTC_CUDA_CHECK(cudaMemcpyAsync(dst.tensor.raw_data(), host.raw_data(), host.nbytes(),
                                 cudaMemcpyHostToDevice, s.copy));
  cudaEvent_t copied = record(s.copy);
  CTC_CUDA_CHECK(cudaStreamWaitEvent(cuda_stream(), copied, 0));
  s.in_flight.emplace_back(host, copied);
  s.allocate_ahead(host);
  return dst.tensor;
}

#else  // no CUDA backend

struct Uploader::Streams {};
Uploader::Uploader() = default;
Uploader::~Uploader() = default;

Tensor Uploader::to_device(const Tensor& host, Device device) { return host.to_device(device); }

#endif

}  // namespace ctcscope
