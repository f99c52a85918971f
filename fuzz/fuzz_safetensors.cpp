// safetensors (tensor/safetensors): any bytes either read as named tensors
// or give ctcscope::Error.
#include "fuzz/fuzz_input.h"
#include "base/error.h"
#include "formats/state_dict.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = ctcscope::fuzz::write_input(data, size, "weights.safetensors");
  try {
    ctcscope::SafetensorsContents c = ctcscope::read_safetensors(path);
    for (const auto& e : c.tensors) {
      if (e.name.empty()) __builtin_trap();
    }
  } catch (const ctcscope::Error&) {
  }
  return 0;
}
