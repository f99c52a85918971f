// Convolutions on the GPU through cuDNN: descriptors built per call, the
// algorithm chosen once per shape (cudnnGet*Algorithm_v7 heuristics, which
// run nothing, so dw is never overwritten while choosing) and cached in the
// DeviceContext under the key docs/style.md names. Deterministic mode keeps only
// CUDNN_DETERMINISTIC algorithms; strict fp32 runs with CUDNN_FMA_MATH and
// passes over the entries that need the tensor cores. A candidate that cuDNN
// then refuses (NOT_SUPPORTED, asking its workspace or running) gives way to
// the next one, and the cache remembers the one that ran.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "kernels/conv.h"
#include "kernels/cuda/common.h"

namespace ctcscope::cuda {
namespace {

// Workspaces larger than this are passed over when another algorithm fits.
constexpr std::size_t kMaxWorkspace = std::size_t{2} << 30;

struct ConvSetup {
  TensorDesc x, y;
  FilterDesc w;
  ConvDesc conv;
  ConvKey key{};
};

// xs: [N,C,H,W]; ws: [K,C/g,R,S]; ys: [N,K,P,Q]. Math type set to the mode's default.
void describe(ConvSetup& s, ConvPass pass, const Shape& xs, const Shape& ws, const Shape& ys,
              const Conv2dParams& p, const GpuMath& math, const char* op) {
  s.x.set_nchw(xs[0], xs[1], xs[2], xs[3], op);
  s.y.set_nchw(ys[0], ys[1], ys[2], ys[3], op);
  CTC_CUDNN_CHECK(cudnnSetFilter4dDescriptor(s.w.get(), CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW,
                                             to_int(ws[0], op, "K"), to_int(ws[1], op, "C/groups"),
                                             to_int(ws[2], op, "R"), to_int(ws[3], op, "S")));
  CTC_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(
      s.conv.get(), to_int(p.pad_h, op, "pad_h"), to_int(p.pad_w, op, "pad_w"),
      to_int(p.stride_h, op, "stride_h"), to_int(p.stride_w, op, "stride_w"),
      to_int(p.dilation_h, op, "dilation_h"), to_int(p.dilation_w, op, "dilation_w"),
      CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  CTC_CUDNN_CHECK(cudnnSetConvolutionGroupCount(s.conv.get(), to_int(p.groups, op, "groups")));
  // As PyTorch: tensor-op math (TF32 on Ampere and later) unless strict fp32,
  // where CUDNN_FMA_MATH keeps cuDNN off the tensor cores.
  CTC_CUDNN_CHECK(cudnnSetConvolutionMathType(
      s.conv.get(), math.allow_tf32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH));
  s.key = ConvKey{pass,       xs[0],      xs[1],      xs[2],        xs[3],        ws[0],
                  ws[2],      ws[3],      p.stride_h, p.stride_w,   p.pad_h,      p.pad_w,
                  p.dilation_h, p.dilation_w, p.groups, DType::f32, math.allow_tf32,
                  math.deterministic};
}

// Tensor-core entries (TF32 for f32) are not strict fp32: forcing FMA math
// on them is NOT_SUPPORTED or silently another kernel.
bool needs_tensor_cores(cudnnMathType_t m) {
  return m == CUDNN_TENSOR_OP_MATH || m == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
}

// Picks the first (fastest by cuDNN's heuristics) usable candidate not in
// `refused`. In strict mode the math type is CUDNN_FMA_MATH and the
// workspace is asked under it.
template <class Perf, class WorkspaceFn>
ConvChoice choose(const std::vector<Perf>& perf, int returned, const GpuMath& math,
                  cudnnConvolutionDescriptor_t conv, const WorkspaceFn& workspace_for,
                  const std::vector<int>& refused, const char* op) {
  for (int pass = 0; pass < 2; ++pass) {  // second pass lifts the workspace cap
    for (int i = 0; i < returned; ++i) {
      const Perf& c = perf[static_cast<std::size_t>(i)];
      if (c.status != CUDNN_STATUS_SUCCESS) continue;
      if (math.deterministic && c.determinism != CUDNN_DETERMINISTIC) continue;
      if (!math.allow_tf32 && needs_tensor_cores(c.mathType)) continue;
      if (std::find(refused.begin(), refused.end(), static_cast<int>(c.algo)) != refused.end()) continue;
      const cudnnMathType_t mt = math.allow_tf32 ? c.mathType : CUDNN_FMA_MATH;
      CTC_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, mt));
      std::size_t bytes = 0;
      // NOT_SUPPORTED (under this math type, say): the next candidate.
      if (workspace_for(c.algo, &bytes) != CUDNN_STATUS_SUCCESS) continue;
      if (pass == 0 && bytes > kMaxWorkspace) continue;
      return ConvChoice{static_cast<int>(c.algo), bytes, mt};
    }
  }
  CTC_FAIL(op, ": cuDNN offers no ", math.deterministic ? "deterministic " : "",
           math.allow_tf32 ? "" : "strict-fp32 ", "algorithm for this shape");
}

// The cached choice, or (none cached, or `refused` not empty) a new one.
ConvChoice choice_for(DeviceContext& ctx, ConvSetup& s, const std::vector<int>& refused,
                      const char* op) {
  if (const ConvChoice* c = refused.empty() ? ctx.find_conv(s.key) : nullptr) {
    CTC_CUDNN_CHECK(cudnnSetConvolutionMathType(s.conv.get(), c->math_type));
    return *c;
  }
  const GpuMath math{s.key.allow_tf32, s.key.deterministic};
  cudnnHandle_t h = ctx.cudnn();
  int count = 0, returned = 0;
  ConvChoice choice;
  switch (s.key.pass) {
    case ConvPass::forward: {
      CTC_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &count));
      std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(static_cast<std::size_t>(count));
      CTC_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, s.x.get(), s.w.get(), s.conv.get(),
                                                             s.y.get(), count, &returned, perf.data()));
      choice = choose(perf, returned, math, s.conv.get(),
                      [&](cudnnConvolutionFwdAlgo_t a, std::size_t* bytes) {
                        return cudnnGetConvolutionForwardWorkspaceSize(
                            h, s.x.get(), s.w.get(), s.conv.get(), s.y.get(), a, bytes);
                      }, refused, op);
      break;
    }
    case ConvPass::backward_data: {
      CTC_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &count));
      std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perf(static_cast<std::size_t>(count));
      CTC_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(
          h, s.w.get(), s.y.get(), s.conv.get(), s.x.get(), count, &returned, perf.data()));
      choice = choose(perf, returned, math, s.conv.get(),
                      [&](cudnnConvolutionBwdDataAlgo_t a, std::size_t* bytes) {
                        return cudnnGetConvolutionBackwardDataWorkspaceSize(
                            h, s.w.get(), s.y.get(), s.conv.get(), s.x.get(), a, bytes);
                      }, refused, op);
      break;
    }
    case ConvPass::backward_filter: {
      CTC_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &count));
      std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> perf(static_cast<std::size_t>(count));
      CTC_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
          h, s.x.get(), s.y.get(), s.conv.get(), s.w.get(), count, &returned, perf.data()));
      choice = choose(perf, returned, math, s.conv.get(),
                      [&](cudnnConvolutionBwdFilterAlgo_t a, std::size_t* bytes) {
                        return cudnnGetConvolutionBackwardFilterWorkspaceSize(
                            h, s.x.get(), s.y.get(), s.conv.get(), s.w.get(), a, bytes);
                      }, refused, op);
      break;
    }
  }
  ctx.remember_conv(s.key, choice);
  return choice;
}

// Runs `launch(choice, workspace)` with the cached or chosen algorithm; on
// NOT_SUPPORTED the next candidate, until one runs or none is left.
template <class Launch>
void run_conv(ConvSetup& s, const char* call, const char* op, const Launch& launch) {
  DeviceContext& ctx = device_context();
  std::vector<int> refused;
  for (;;) {
    const ConvChoice c = choice_for(ctx, s, refused, op);
    void* ws = c.workspace_bytes ? ctx.workspace(c.workspace_bytes) : nullptr;
    const cudnnStatus_t status = launch(c, ws);
    if (status == CUDNN_STATUS_SUCCESS) return;
    if (status != CUDNN_STATUS_NOT_SUPPORTED) detail::fail_cudnn(call, __FILE__, __LINE__, status);
    refused.push_back(c.algo);
  }
}

}  // namespace

void conv2d_forward(const Tensor& x, const Tensor& w, const Conv2dParams& p, Tensor& y) {
  const char* op = "conv2d_forward";
  require_f32(x, op, "x");
  if (x.size(0) == 0) return;
  ConvSetup s;
  describe(s, ConvPass::forward, x.shape(), w.shape(), y.shape(), p, gpu_math(), op);
  const float alpha = 1.0f, beta = 0.0f;  // y assigned
  run_conv(s, "cudnnConvolutionForward", op, [&](const ConvChoice& c, void* ws) {
    return cudnnConvolutionForward(device_context().cudnn(), &alpha, s.x.get(), x.raw_data(),
                                   s.w.get(), w.raw_data(), s.conv.get(),
                                   static_cast<cudnnConvolutionFwdAlgo_t>(c.algo), ws,
                                   c.workspace_bytes, &beta, s.y.get(), y.raw_data());
  });
}

void conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2dParams& p, Tensor& dx) {
  const char* op = "conv2d_backward_data";
  require_f32(dy, op, "dy");
  if (dx.size(0) == 0) return;
  ConvSetup s;
  describe(s, ConvPass::backward_data, dx.shape(), w.shape(), dy.shape(), p, gpu_math(), op);
  const float alpha = 1.0f, beta = 0.0f;  // dx assigned
  run_conv(s, "cudnnConvolutionBackwardData", op, [&](const ConvChoice& c, void* ws) {
    return cudnnConvolutionBackwardData(device_context().cudnn(), &alpha, s.w.get(), w.raw_data(),
                                        s.y.get(), dy.raw_data(), s.conv.get(),
                                        static_cast<cudnnConvolutionBwdDataAlgo_t>(c.algo), ws,
                                        c.workspace_bytes, &beta, s.x.get(), dx.raw_data());
  });
}

// NOT_SUPPORTED is reported before anything is written, so retrying another
// algorithm cannot add the gradient twice.
void conv2d_backward_filter(const Tensor& dy, const Tensor& x, const Conv2dParams& p, Tensor& dw) {
  const char* op = "conv2d_backward_filter";
  require_f32(dy, op, "dy");
  if (x.size(0) == 0) return;  // nothing to add
  ConvSetup s;
  describe(s, ConvPass::backward_filter, x.shape(), dw.shape(), dy.shape(), p, gpu_math(), op);
  const float alpha = 1.0f, beta = 1.0f;  // dw accumulated: dw = 1 * grad + 1 * dw
  run_conv(s, "cudnnConvolutionBackwardFilter", op, [&](const ConvChoice& c, void* ws) {
    return cudnnConvolutionBackwardFilter(device_context().cudnn(), &alpha, s.x.get(), x.raw_data(),
                                          s.y.get(), dy.raw_data(), s.conv.get(),
                                          static_cast<cudnnConvolutionBwdFilterAlgo_t>(c.algo), ws,
                                          c.workspace_bytes, &beta, s.w.get(), dw.raw_data());
  });
}

}  // namespace ctcscope::cuda
