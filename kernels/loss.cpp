// Entry points of the softmax / cross-entropy family: argument checks (shapes,
// dtypes, devices), then dispatch to the CPU twin or the CUDA backend.
// Label range is checked by the backend, which reads the labels anyway.
#include "kernels/loss.h"

namespace ctcscope {

namespace {

void check_float_cpu(const Tensor& t, const char* op, const char* arg) {
  check_defined(t, op, arg);
  CTC_CHECK(t.dtype() == DType::f32 || t.dtype() == DType::f64, op, ": ", arg,
            " must be f32 or f64, got ", t.describe());
#ifndef CTC_WITH_CUDA
  CTC_CHECK(t.device() == Device::cpu, op, ": CUDA backend not built (", arg, " is ",
            t.describe(), ")");
#endif
}

void check_logits_2d(const Tensor& t, const char* op, const char* arg) {
  check_float_cpu(t, op, arg);
  CTC_CHECK(t.dim() == 2 && t.size(0) >= 1 && t.size(1) >= 1, op, ": ", arg,
            " must be [N,K] with N,K >= 1, got ", t.shape_str());
}

// labels: i64 [N]; class_weights: undefined or [K] of the logits' dtype.
void check_labels_weights(const Tensor& z, const Tensor& labels, const Tensor& class_weights,
                          const CrossEntropyParams& p, const char* op) {
  check_shape(labels, {z.size(0)}, op, "labels");
  CTC_CHECK(labels.dtype() == DType::i64 && labels.device() == z.device(), op,
            ": labels must be i64 on ", device_name(z.device()), ", got ", labels.describe());
  if (class_weights.defined()) {
    check_shape(class_weights, {z.size(1)}, op, "class_weights");
    check_same_dtype_device(z, class_weights, op, "class_weights");
  }
  CTC_CHECK(p.label_smoothing >= 0.0 && p.label_smoothing <= 1.0, op,
            ": label_smoothing must be in [0,1], got ", p.label_smoothing);
}

}  // namespace

void softmax_forward(const Tensor& logits, Tensor& probs) {
  const char* op = "softmax_forward";
  check_float_cpu(logits, op, "logits");
  CTC_CHECK(logits.dim() >= 1 && logits.size(-1) >= 1, op,
            ": logits need a non-empty last dimension, got ", logits.shape_str());
  check_shape(probs, logits.shape(), op, "probs");
  check_same_dtype_device(logits, probs, op, "probs");
#ifdef CTC_WITH_CUDA
  if (logits.device() == Device::cuda) return cuda::softmax_forward(logits, probs);
#endif
  cpu::softmax_forward(logits, probs);
}

double cross_entropy_forward(const Tensor& logits, const Tensor& labels, const Tensor& class_weights,
                             const CrossEntropyParams& p, Tensor& probs, Tensor& loss) {
  const char* op = "cross_entropy_forward";
  check_logits_2d(logits, op, "logits");
  check_labels_weights(logits, labels, class_weights, p, op);
  check_shape(probs, logits.shape(), op, "probs");
  check_same_dtype_device(logits, probs, op, "probs");
  check_shape(loss, {1}, op, "loss");
  check_same_dtype_device(logits, loss, op, "loss");
#ifdef CTC_WITH_CUDA
  if (logits.device() == Device::cuda) return cuda::cross_entropy_forward(logits, labels, class_weights, p, probs, loss);
#endif
  cpu::cross_entropy_forward(logits, labels, class_weights, p, probs, loss);
  return loss.item(0);
}

void cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& class_weights,
                            const CrossEntropyParams& p, double dloss, Tensor& dlogits) {
  const char* op = "cross_entropy_backward";
  check_logits_2d(probs, op, "probs");
  check_labels_weights(probs, labels, class_weights, p, op);
  check_shape(dlogits, probs.shape(), op, "dlogits");
  check_same_dtype_device(probs, dlogits, op, "dlogits");
#ifdef CTC_WITH_CUDA
  if (probs.device() == Device::cuda) return cuda::cross_entropy_backward(probs, labels, class_weights, p, dloss, dlogits);
#endif
  cpu::cross_entropy_backward(probs, labels, class_weights, p, dloss, dlogits);
}

}  // namespace ctcscope
