// Channel concatenation entry points: check the pieces against the whole,
// then dispatch to the CPU twin or, when built, the CUDA kernel.
#include "kernels/concat.h"

#include "kernels/arg_checks.h"

namespace ctcscope {
namespace {

// Every piece is [N,C_i,H,W] like `whole` with the channels summing to its C.
void check_pieces(const std::vector<Tensor>& pieces, const Tensor& whole, const char* op,
                  const char* piece_arg, const char* whole_arg) {
  argcheck::check_float(whole, op, whole_arg);
  argcheck::check_dim(whole, 4, op, whole_arg);
#ifndef CTC_WITH_CUDA
  argcheck::check_backend(whole, op);
#endif
  CTC_CHECK(!pieces.empty(), op, ": ", piece_arg, " is empty");
  for (const Tensor& p : pieces) {
    argcheck::check_dim(p, 4, op, piece_arg);
    argcheck::check_like(p, whole, {whole.size(0), p.size(1), whole.size(2), whole.size(3)}, op, piece_arg);
  }
  const std::int64_t channels = concat_channels_shape(pieces)[1];
  CTC_CHECK(channels == whole.size(1), op, ": ", piece_arg, " hold ", channels, " channels, ", whole_arg,
            " has ", whole.size(1));
}

}  // namespace

Shape concat_channels_shape(const std::vector<Tensor>& pieces) {
  CTC_CHECK(!pieces.empty(), "concat_channels_shape: no pieces");
  const Tensor& x0 = pieces.front();
  CTC_CHECK(x0.dim() == 4, "concat_channels_shape: a piece has shape ", x0.shape_str(), ", expected [N, C, H, W]");
  std::int64_t channels = 0;
  for (const Tensor& piece : pieces) channels += piece.size(1);
  return {x0.size(0), channels, x0.size(2), x0.size(3)};
}

void concat_channels(const std::vector<Tensor>& inputs, Tensor& y) {
  check_pieces(inputs, y, "concat_channels", "inputs", "y");
#ifdef CTC_WITH_CUDA
  if (y.device() == Device::cuda) return cuda::concat_channels(inputs, y);
#endif
  cpu::concat_channels(inputs, y);
}

void split_channels(const Tensor& dy, std::vector<Tensor>& dxs) {
  check_pieces(dxs, dy, "split_channels", "dxs", "dy");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::split_channels(dy, dxs);
#endif
  cpu::split_channels(dy, dxs);
}

}  // namespace ctcscope
