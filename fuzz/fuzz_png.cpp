// PNG decoding (data/png): any bytes either decode to an image whose size
// respects the reader's ceilings or give ctcscope::Error.
#include "data/png.h"
#include "fuzz/fuzz_input.h"
#include "base/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = ctcscope::fuzz::write_input(data, size, "cell.png");
  try {
    ctcscope::Image image = ctcscope::read_png(path);
    if (image.channels <= 0 || image.height <= 0 || image.width <= 0) __builtin_trap();
  } catch (const ctcscope::Error&) {
  }
  return 0;
}
