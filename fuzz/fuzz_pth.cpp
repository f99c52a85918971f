// torch.save files (tensor/pth_reader, zip_reader, unpickler): any bytes,
// as a zip archive or a legacy pickle stream, either read as a state_dict or
// give ctcscope::Error. The unpickler must never call anything.
#include "fuzz/fuzz_input.h"
#include "base/error.h"
#include "formats/state_dict.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = ctcscope::fuzz::write_input(data, size, "weights.pth");
  try {
    ctcscope::StateDict sd = ctcscope::read_pth(path);
    for (const auto& e : sd) {
      if (e.tensor.numel() < 0) __builtin_trap();
    }
  } catch (const ctcscope::Error&) {
  }
  return 0;
}
