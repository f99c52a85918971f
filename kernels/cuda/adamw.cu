// AdamW on the GPU as one launch over every parameter (a multi-tensor
// apply): a thread per element of the concatenated parameters, finding its
// tensor by binary search in a device table of (w, g, m, v, offset); a block
// is 256 threads. The table is uploaded once and kept on the device: a step
// whose tensors are the last step's (the usual case: the optimizer's tensors
// stay put) copies nothing and waits for nothing. Bytes moved per element: 28 (read w, g, m, v; write w, m, v).
// The arithmetic is the CPU twin's, operation for operation, with explicit
// _rn intrinsics so nvcc fuses nothing the twin does not (fmaf where it fmas).
#include <cmath>
#include <mutex>
#include <vector>

#include "kernels/adamw.h"
#include "kernels/cuda/common.h"
#include "tensor/cuda_memory.h"

namespace ctcscope::cuda {
namespace {

struct AdamWTensor {
  float* w;
  const float* g;
  float* m;
  float* v;
  std::int64_t begin;  // offset of its first element in the concatenation
  bool operator==(const AdamWTensor&) const = default;
};

// The device copy of the last table, replaced only when the tensors change.
class DeviceTable {
 public:
  const AdamWTensor* upload(const std::vector<AdamWTensor>& table) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (table != host_) {
      if (table.size() > capacity_) {
        cuda_deallocate(device_);  // stream-ordered: a queued step still sees it
        device_ = static_cast<AdamWTensor*>(cuda_allocate(table.size() * sizeof(AdamWTensor)));
        capacity_ = table.size();
      }
      // Waits for the stream (a pageable host source), so the last step's
      // kernel has read the old table before it is overwritten.
      cuda_copy_bytes(device_, true, table.data(), false, table.size() * sizeof(AdamWTensor));
      host_ = table;
    }
    return device_;
  }

 private:
  std::mutex mutex_;
  std::vector<AdamWTensor> host_;
  AdamWTensor* device_ = nullptr;
  std::size_t capacity_ = 0;
};

// The twin's scalars, formed in double and rounded to float as the twin does.
struct AdamWScalars {
  float decay, lerp_weight, one_minus_lerp, beta2, one_minus_beta2, bias_correction2_sqrt, eps,
      neg_step_size;
  bool lerp_small;
};

}  // namespace

__global__ void adamw_step_kernel(const AdamWTensor* tensors, int count, std::int64_t total,
                                  AdamWScalars s) {
  for (std::int64_t e = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; e < total;
       e += std::int64_t{gridDim.x} * blockDim.x) {
    int lo = 0, hi = count - 1;  // the last tensor with begin <= e
    while (lo < hi) {
      const int mid = (lo + hi + 1) / 2;
      if (tensors[mid].begin <= e) lo = mid; else hi = mid - 1;
    }
    const AdamWTensor t = tensors[lo];
    const std::int64_t i = e - t.begin;
    const float g = t.g[i];
    float w = __fmul_rn(t.w[i], s.decay);
    float m = t.m[i];
    const float diff = __fsub_rn(g, m);
    m = s.lerp_small ? fmaf(s.lerp_weight, diff, m) : fmaf(-diff, s.one_minus_lerp, g);
    float v = __fmul_rn(t.v[i], s.beta2);
    v = fmaf(__fmul_rn(s.one_minus_beta2, g), g, v);
    const float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(v), s.bias_correction2_sqrt), s.eps);
    w = __fadd_rn(w, __fdiv_rn(__fmul_rn(s.neg_step_size, m), denom));
    t.w[i] = w;
    t.m[i] = m;
    t.v[i] = v;
  }
}

void adamw_step_multi(const std::vector<AdamWSlot>& slots, const AdamWStep& st) {
  const char* op = "adamw_step_multi";
  std::vector<AdamWTensor> table;
  table.reserve(slots.size());
  std::int64_t total = 0;
  for (const AdamWSlot& slot : slots) {
    require_f32(*slot.param, op, "param");
    if (slot.param->numel() == 0) continue;
    table.push_back(AdamWTensor{slot.param->data<float>(), slot.grad->data<float>(),
                                slot.exp_avg->data<float>(), slot.exp_avg_sq->data<float>(),
                                total});
    total += slot.param->numel();
  }
  if (total == 0) return;
  // As the twin (kernels/cpu/adamw.cpp): double, then rounded to float.
  const double t = static_cast<double>(st.step);
  const double bias_correction1 = 1.0 - std::pow(st.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(st.beta2, t);
  AdamWScalars s{};
  s.decay = static_cast<float>(1.0 - st.lr * st.weight_decay);
  s.lerp_weight = static_cast<float>(1.0 - st.beta1);
  s.lerp_small = std::fabs(static_cast<double>(s.lerp_weight)) < 0.5;
  s.one_minus_lerp = 1.0f - s.lerp_weight;
  s.beta2 = static_cast<float>(st.beta2);
  s.one_minus_beta2 = static_cast<float>(1.0 - st.beta2);
  s.bias_correction2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  s.eps = static_cast<float>(st.eps);
  s.neg_step_size = static_cast<float>(-(st.lr / bias_correction1));

  DeviceContext& ctx = device_context();
  static DeviceTable* device_table = new DeviceTable();  // never freed, as the context
  const AdamWTensor* d_table = device_table->upload(table);
  adamw_step_kernel<<<blocks_for(total), kThreads, 0, ctx.stream()>>>(
      d_table, static_cast<int>(table.size()), total, s);
  CTC_CUDA_CHECK(cudaGetLastError());
}

}  // namespace ctcscope::cuda
