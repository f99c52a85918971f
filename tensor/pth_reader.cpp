// PyTorch torch.save files: placeholder until the zip and legacy readers land.
#include "tensor/state_dict.h"

namespace ctcscope {

StateDict read_pth(const std::string& path) { CTC_FAIL(path, ": .pth reading is not implemented yet"); }

}  // namespace ctcscope
