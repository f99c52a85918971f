// PNG read and write with libpng. libpng reports errors by longjmp, so the
// functions that call setjmp hold only plain locals (no destructors to skip);
// buffers live in a state struct owned by the caller, and the error text is
// turned into a ctcscope::Error naming the file after the jump.
#include "data/png.h"

#include <png.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/file_util.h"
#include "base/error.h"

namespace ctcscope {
namespace {

struct PngIo {
  std::FILE* file = nullptr;
  bool hit_eof = false;  // the read callback ran out of bytes
  char message[256] = {};
};

extern "C" void png_error_to_jump(png_structp png, png_const_charp message) {
  auto* io = static_cast<PngIo*>(png_get_error_ptr(png));
  std::snprintf(io->message, sizeof io->message, "%s", message ? message : "unknown error");
  png_longjmp(png, 1);
}

extern "C" void png_warning_ignore(png_structp, png_const_charp) {}

extern "C" void png_read_from_file(png_structp png, png_bytep data, png_size_t length) {
  auto* io = static_cast<PngIo*>(png_get_io_ptr(png));
  const std::size_t got = std::fread(data, 1, length, io->file);
  if (got != length) {
    io->hit_eof = std::feof(io->file) != 0;
    png_error(png, io->hit_eof ? "unexpected end of file" : "read error");
  }
}

struct ReadState {
  PngIo io;
  png_structp png = nullptr;
  png_infop info = nullptr;
  png_uint_32 width = 0, height = 0;
  int channels = 0;    // after transforms: 1 or 3
  int bit_depth = 0;   // after transforms: 8 or 16
  bool too_large = false;
  std::vector<png_byte> pixels;
  std::vector<png_bytep> rows;
};

// Returns false when libpng failed (state.io.message says why) or the image
// is over the size bounds (state.too_large).
bool png_decode(ReadState& s) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  png_set_read_fn(s.png, &s.io, png_read_from_file);
  png_set_sig_bytes(s.png, 8);
  png_read_info(s.png, s.info);
  const int color = png_get_color_type(s.png, s.info);
  const int depth = png_get_bit_depth(s.png, s.info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(s.png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(s.png);
  if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(s.png);
  png_set_interlace_handling(s.png);
  png_read_update_info(s.png, s.info);
  s.width = png_get_image_width(s.png, s.info);
  s.height = png_get_image_height(s.png, s.info);
  s.channels = png_get_channels(s.png, s.info);
  s.bit_depth = png_get_bit_depth(s.png, s.info);
  const std::uint64_t samples = std::uint64_t{s.width} * s.height * static_cast<std::uint64_t>(s.channels);
  if (s.width > kPngMaxSide || s.height > kPngMaxSide || samples > kPngMaxSamples) {
    s.too_large = true;
    return false;
  }
  const std::size_t row_bytes = png_get_rowbytes(s.png, s.info);
  s.pixels.resize(row_bytes * s.height);
  s.rows.resize(s.height);
  for (png_uint_32 y = 0; y < s.height; ++y) s.rows[y] = s.pixels.data() + row_bytes * y;
  png_read_image(s.png, s.rows.data());
  png_read_end(s.png, nullptr);  // checks the chunks after the image data and IEND
  return true;
}

struct WriteState {
  PngIo io;
  png_structp png = nullptr;
  png_infop info = nullptr;
  std::vector<png_bytep> rows;
  std::string* out = nullptr;  // the encoded bytes
};

extern "C" void png_append_to_string(png_structp png, png_bytep data, png_size_t length) {
  auto* s = static_cast<WriteState*>(png_get_io_ptr(png));
  s->out->append(reinterpret_cast<const char*>(data), length);
}

extern "C" void png_flush_nothing(png_structp) {}

bool png_encode(WriteState& s, png_uint_32 width, png_uint_32 height, int bit_depth, int color) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  png_set_write_fn(s.png, &s, png_append_to_string, png_flush_nothing);
  png_set_IHDR(s.png, s.info, width, height, bit_depth, color, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(s.png, s.info);
  png_write_image(s.png, s.rows.data());
  png_write_end(s.png, nullptr);
  return true;
}

}  // namespace

Image read_png(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) CTC_FAIL(path, ": cannot open (", std::strerror(errno), ")");
  png_byte signature[8];
  const std::size_t got = std::fread(signature, 1, 8, file);
  if (got == 0) {
    std::fclose(file);
    CTC_FAIL(path, ": empty file");
  }
  if (got < 8 || png_sig_cmp(signature, 0, 8) != 0) {
    std::fclose(file);
    CTC_FAIL(path, ": not a PNG file");
  }
  ReadState s;
  s.io.file = file;
  s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s.io, png_error_to_jump, png_warning_ignore);
  if (s.png) s.info = png_create_info_struct(s.png);
  if (!s.png || !s.info) {
    png_destroy_read_struct(s.png ? &s.png : nullptr, nullptr, nullptr);
    std::fclose(file);
    CTC_FAIL(path, ": libpng could not start (out of memory)");
  }
  const bool ok = png_decode(s);
  png_destroy_read_struct(&s.png, &s.info, nullptr);
  std::fclose(file);
  if (s.too_large) {
    CTC_FAIL(path, ": image of ", s.width, "x", s.height, "x", s.channels, " is over the limit (", kPngMaxSide,
             " pixels a side, ", kPngMaxSamples, " samples)");
  }
  if (!ok) {
    if (s.io.hit_eof) CTC_FAIL(path, ": truncated (libpng: ", s.io.message, ")");
    CTC_FAIL(path, ": corrupt PNG (libpng: ", s.io.message, ")");
  }

  const auto H = static_cast<std::int64_t>(s.height), W = static_cast<std::int64_t>(s.width);
  const std::int64_t C = s.channels;
  CTC_CHECK_INPUT(C == 1 || C == 3, path, ": unexpected channel count ", C, " after conversion");
  Image image(C, H, W);
  image.bit_depth = s.bit_depth;
  const std::size_t row_bytes = s.pixels.size() / s.height;
  for (std::int64_t y = 0; y < H; ++y) {
    const png_byte* row = s.pixels.data() + row_bytes * static_cast<std::size_t>(y);
    for (std::int64_t x = 0; x < W; ++x) {
      for (std::int64_t c = 0; c < C; ++c) {
        const std::size_t k = static_cast<std::size_t>(x * C + c);
        if (s.bit_depth == 16) {
          const unsigned v = (unsigned{row[2 * k]} << 8) | row[2 * k + 1];
          image.at(c, y, x) = static_cast<float>(v / 65535.0);
        } else {
          image.at(c, y, x) = static_cast<float>(row[k] / 255.0);
        }
      }
    }
  }
  return image;
}

void write_png(const std::string& path, const Image& image, int bit_depth) {
  CTC_CHECK(bit_depth == 8 || bit_depth == 16, path, ": PNG bit depth must be 8 or 16, got ", bit_depth);
  CTC_CHECK(image.channels == 1 || image.channels == 3, path, ": PNG needs 1 or 3 channels, got ",
            image.channels);
  CTC_CHECK(image.height > 0 && image.width > 0 && image.height <= kPngMaxSide && image.width <= kPngMaxSide,
            path, ": image size ", image.height, "x", image.width, " out of range");
  CTC_CHECK(image.pixels.size() == static_cast<std::size_t>(image.channels * image.height * image.width), path,
            ": image holds ", image.pixels.size(), " samples, its shape says ",
            image.channels * image.height * image.width);

  const std::int64_t C = image.channels, H = image.height, W = image.width;
  const std::size_t bytes = static_cast<std::size_t>(bit_depth / 8);
  const std::size_t row_bytes = static_cast<std::size_t>(W * C) * bytes;
  std::vector<png_byte> pixels(row_bytes * static_cast<std::size_t>(H));
  const std::uint32_t max = bit_depth == 16 ? 65535u : 255u;
  for (std::int64_t y = 0; y < H; ++y) {
    png_byte* row = pixels.data() + row_bytes * static_cast<std::size_t>(y);
    for (std::int64_t x = 0; x < W; ++x) {
      for (std::int64_t c = 0; c < C; ++c) {
        const std::uint32_t v = quantize_sample(image.at(c, y, x), max);
        const std::size_t k = static_cast<std::size_t>(x * C + c);
        if (bit_depth == 16) {
          row[2 * k] = static_cast<png_byte>(v >> 8);
          row[2 * k + 1] = static_cast<png_byte>(v & 0xff);
        } else {
          row[k] = static_cast<png_byte>(v);
        }
      }
    }
  }

  write_file_atomic(path, encode_png_samples(pixels.data(), static_cast<int>(W), static_cast<int>(H),
                                             static_cast<int>(C), bit_depth));
}

std::string encode_png_samples(const std::uint8_t* samples, int width, int height, int channels, int bit_depth) {
  CTC_CHECK((bit_depth == 8 || bit_depth == 16) && (channels == 1 || channels == 3) && width > 0 && height > 0,
            "encode_png_samples: ", width, "x", height, "x", channels, " at ", bit_depth, " bits");
  const std::size_t row_bytes = static_cast<std::size_t>(width) * channels * (bit_depth / 8);
  std::string out;
  WriteState s;
  s.out = &out;
  s.rows.resize(static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) {
    s.rows[static_cast<std::size_t>(y)] = const_cast<png_bytep>(samples + row_bytes * static_cast<std::size_t>(y));
  }
  s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &s.io, png_error_to_jump, png_warning_ignore);
  if (s.png) s.info = png_create_info_struct(s.png);
  bool ok = s.png && s.info;
  if (ok) ok = png_encode(s, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), bit_depth,
                          channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB);
  png_destroy_write_struct(s.png ? &s.png : nullptr, s.info ? &s.info : nullptr);
  if (!ok) CTC_FAIL("PNG encoding failed (libpng: ", s.io.message[0] ? s.io.message : "out of memory", ")");
  return out;
}

}  // namespace ctcscope
