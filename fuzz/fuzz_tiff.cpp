// TIFF decoding (data/tiff): any bytes either decode to an image whose size
// respects the reader's ceilings or give ctcscope::Error. Page 0 is asked for,
// so multi-page inputs are decoded too rather than refused at the count.
#include "data/tiff.h"
#include "fuzz/fuzz_input.h"
#include "base/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = ctcscope::fuzz::write_input(data, size, "cell.tif");
  try {
    ctcscope::Image image = ctcscope::read_tiff(path, 0);
    if (image.channels <= 0 || image.height <= 0 || image.width <= 0) __builtin_trap();
    if (image.bit_depth != 8 && image.bit_depth != 16) __builtin_trap();
  } catch (const ctcscope::Error&) {
  }
  return 0;
}
