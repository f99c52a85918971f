// Checkpoints (models/checkpoint): any bytes either read as a verified
// checkpoint file (metadata parsed, format version accepted, payload sha256
// equal to the recorded one) or give ctcscope::Error. The model build and
// weight import that load_checkpoint adds are weight import's checks, reached
// by tests/models; building a ResNet per input would leave the fuzzer a few
// inputs a second.
#include "fuzz/fuzz_input.h"
#include "models/checkpoint.h"
#include "base/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = ctcscope::fuzz::write_input(data, size, "model.ckpt.safetensors");
  try {
    ctcscope::VerifiedCheckpointFile c = ctcscope::read_checkpoint_file(path);
    if (c.info.classes.size() < 2) __builtin_trap();
  } catch (const ctcscope::Error&) {
  }
  return 0;
}
