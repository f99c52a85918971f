// PNG read/write: round trips at 8 and 16 bits, gray and RGB; files of the
// other colour types written with libpng directly; bad files (not a PNG,
// truncated at several points, empty, oversized) give errors naming the file.
#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/file_util.h"
#include "data/png.h"
#include "base/error.h"
#include "tensor/random.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

std::string temp_dir(const std::string& name) {
  fs::path dir = ::ctcscope::test::scratch_root() / "ctc_test_png" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

Image random_image(std::int64_t c, std::int64_t h, std::int64_t w, std::uint64_t index) {
  Image image(c, h, w);
  Philox rng(Seed{"test.png", index, 0});
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<float>(rng.uniform(i));
  return image;
}

void expect_images_close(const Image& got, const Image& ref, double atol) {
  ASSERT_EQ(got.channels, ref.channels);
  ASSERT_EQ(got.height, ref.height);
  ASSERT_EQ(got.width, ref.width);
  double worst = 0.0;
  for (std::size_t i = 0; i < ref.pixels.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(got.pixels[i]) - ref.pixels[i]));
  }
  EXPECT_LE(worst, atol);
}

// Writes raw rows with libpng (any colour type and depth) for the reader's tests.
bool write_raw_png_impl(std::FILE* f, png_uint_32 w, png_uint_32 h, int depth, int color,
                        const png_color* palette, int palette_size, png_bytep* rows) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, w, h, depth, color, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (palette) png_set_PLTE(png, info, palette, palette_size);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

void write_raw_png(const std::string& path, png_uint_32 w, png_uint_32 h, int depth, int color,
                   std::vector<std::vector<png_byte>> rows, const std::vector<png_color>& palette = {}) {
  std::vector<png_bytep> pointers;
  for (auto& r : rows) pointers.push_back(r.data());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const bool ok = write_raw_png_impl(f, w, h, depth, color, palette.empty() ? nullptr : palette.data(),
                                     static_cast<int>(palette.size()), pointers.data());
  std::fclose(f);
  ASSERT_TRUE(ok);
}

std::string error_of(const std::string& path) {
  try {
    read_png(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Png, RoundTrip8And16BitGrayAndRgb) {
  const std::string dir = temp_dir("roundtrip");
  std::uint64_t index = 0;
  for (int depth : {8, 16}) {
    for (std::int64_t c : {1, 3}) {
      const Image ref = random_image(c, 13, 17, index++);
      const std::string path = dir + "/img_" + std::to_string(depth) + "_" + std::to_string(c) + ".png";
      write_png(path, ref, depth);
      const Image got = read_png(path);
      // Rounding to the nearest level: at most half a step off.
      expect_images_close(got, ref, depth == 8 ? 0.5 / 255 + 1e-6 : 0.5 / 65535 + 1e-7);
      // A second round trip is exact: the levels are representable.
      write_png(path, got, depth);
      expect_images_close(read_png(path), got, 0.0);
    }
  }
  // No temporary files are left beside the outputs.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().extension(), ".png") << entry.path();
    ++files;
  }
  EXPECT_EQ(files, 4);
}

TEST(Png, SixteenBitScaledBy65535AndClamped) {
  const std::string dir = temp_dir("scale");
  Image ref(1, 1, 4);
  ref.pixels = {-0.5f, 0.0f, 1.0f / 65535.0f, 2.0f};
  write_png(dir + "/a.png", ref, 16);
  const Image got = read_png(dir + "/a.png");
  EXPECT_EQ(got.pixels[0], 0.0f);
  EXPECT_EQ(got.pixels[1], 0.0f);
  EXPECT_FLOAT_EQ(got.pixels[2], 1.0f / 65535.0f);
  EXPECT_EQ(got.pixels[3], 1.0f);
}

TEST(Png, ReadsGrayAlphaRgbaPaletteAndLowBitGray) {
  const std::string dir = temp_dir("types");
  // Gray+alpha 8-bit: alpha dropped.
  write_raw_png(dir + "/ga.png", 2, 1, 8, PNG_COLOR_TYPE_GRAY_ALPHA, {{10, 255, 200, 0}});
  Image ga = read_png(dir + "/ga.png");
  ASSERT_EQ(ga.channels, 1);
  EXPECT_FLOAT_EQ(ga.at(0, 0, 0), 10 / 255.0f);
  EXPECT_FLOAT_EQ(ga.at(0, 0, 1), 200 / 255.0f);
  // Gray+alpha 16-bit.
  write_raw_png(dir + "/ga16.png", 1, 1, 16, PNG_COLOR_TYPE_GRAY_ALPHA, {{0x12, 0x34, 0xff, 0xff}});
  EXPECT_FLOAT_EQ(read_png(dir + "/ga16.png").at(0, 0, 0), static_cast<float>(0x1234 / 65535.0));
  // RGBA: 3 channels.
  write_raw_png(dir + "/rgba.png", 1, 1, 8, PNG_COLOR_TYPE_RGB_ALPHA, {{1, 2, 3, 4}});
  Image rgba = read_png(dir + "/rgba.png");
  ASSERT_EQ(rgba.channels, 3);
  EXPECT_FLOAT_EQ(rgba.at(2, 0, 0), 3 / 255.0f);
  // Palette, 4-bit indices: expanded to RGB.
  std::vector<png_color> palette = {{0, 0, 0}, {255, 128, 0}, {10, 20, 30}};
  write_raw_png(dir + "/pal.png", 3, 1, 4, PNG_COLOR_TYPE_PALETTE, {{0x12, 0x00}}, palette);
  Image pal = read_png(dir + "/pal.png");
  ASSERT_EQ(pal.channels, 3);
  ASSERT_EQ(pal.width, 3);
  EXPECT_FLOAT_EQ(pal.at(0, 0, 0), 255 / 255.0f);  // index 1
  EXPECT_FLOAT_EQ(pal.at(1, 0, 0), 128 / 255.0f);
  EXPECT_FLOAT_EQ(pal.at(2, 0, 1), 30 / 255.0f);   // index 2
  EXPECT_FLOAT_EQ(pal.at(0, 0, 2), 0.0f);          // index 0
  // 1-bit and 2-bit gray: expanded so that the top level is 1.
  write_raw_png(dir + "/g1.png", 3, 1, 1, PNG_COLOR_TYPE_GRAY, {{0xA0}});  // bits 1 0 1
  Image g1 = read_png(dir + "/g1.png");
  EXPECT_EQ(g1.at(0, 0, 0), 1.0f);
  EXPECT_EQ(g1.at(0, 0, 1), 0.0f);
  EXPECT_EQ(g1.at(0, 0, 2), 1.0f);
  write_raw_png(dir + "/g2.png", 2, 1, 2, PNG_COLOR_TYPE_GRAY, {{0x70}});  // levels 1 3
  Image g2 = read_png(dir + "/g2.png");
  EXPECT_FLOAT_EQ(g2.at(0, 0, 0), 85 / 255.0f);
  EXPECT_EQ(g2.at(0, 0, 1), 1.0f);
}

TEST(Png, BadFilesNameTheFile) {
  const std::string dir = temp_dir("bad");
  const std::string empty = dir + "/cell_0_bf.png";
  std::ofstream(empty).close();
  EXPECT_NE(error_of(empty).find("cell_0_bf.png: empty file"), std::string::npos) << error_of(empty);

  const std::string text = dir + "/cell_12_bf.png";
  std::ofstream(text) << "this is not an image at all";
  EXPECT_NE(error_of(text).find("cell_12_bf.png: not a PNG file"), std::string::npos) << error_of(text);

  const std::string tiny = dir + "/tiny.png";
  std::ofstream(tiny) << "\x89PN";
  EXPECT_NE(error_of(tiny).find("tiny.png: not a PNG file"), std::string::npos);

  const std::string missing = dir + "/missing.png";
  EXPECT_NE(error_of(missing).find("missing.png: cannot open"), std::string::npos);

  // A good file cut at several points: in the signature, the header, the
  // image data, just before the end.
  const std::string good = dir + "/good.png";
  write_png(good, random_image(1, 40, 40, 7), 8);
  const std::string bytes = read_file_bytes(good);
  ASSERT_GT(bytes.size(), 100u);
  for (std::size_t cut : {std::size_t{5}, std::size_t{8}, std::size_t{20}, std::size_t{40},
                          bytes.size() / 2, bytes.size() - 13, bytes.size() - 1}) {
    const std::string path = dir + "/cut_" + std::to_string(cut) + ".png";
    std::ofstream(path, std::ios::binary) << bytes.substr(0, cut);
    const std::string message = error_of(path);
    EXPECT_NE(message.find("cut_" + std::to_string(cut) + ".png: "), std::string::npos) << message;
    if (cut >= 8) {
      EXPECT_NE(message.find("truncated (libpng: "), std::string::npos) << message;
    }
  }

  // A corrupted byte in the image data: a CRC error, not a truncation.
  std::string corrupt = bytes;
  corrupt[bytes.size() / 2] = static_cast<char>(corrupt[bytes.size() / 2] ^ 0x5a);
  const std::string bad_crc = dir + "/crc.png";
  std::ofstream(bad_crc, std::ios::binary) << corrupt;
  EXPECT_NE(error_of(bad_crc).find("crc.png: corrupt PNG (libpng: "), std::string::npos) << error_of(bad_crc);
}

TEST(Png, HugeHeaderRefusedBeforeAllocating) {
  // A valid 1x1 file whose header is patched to 16000x16000 RGB (768 Mi
  // samples): refused by the size bound, not by a failed allocation.
  const std::string dir = temp_dir("huge");
  write_raw_png(dir + "/one.png", 1, 1, 8, PNG_COLOR_TYPE_RGB, {{1, 2, 3}});
  std::string bytes = read_file_bytes(dir + "/one.png");
  auto put32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  };
  put32(16, 16000);
  put32(20, 16000);
  const std::uint32_t crc = static_cast<std::uint32_t>(
      crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(bytes.data() + 12), 17));
  put32(29, crc);
  std::ofstream(dir + "/huge.png", std::ios::binary) << bytes;
  const std::string message = error_of(dir + "/huge.png");
  EXPECT_NE(message.find("huge.png: image of 16000x16000x3 is over the limit"), std::string::npos) << message;
}

TEST(Png, WriteRejectsBadArgumentsAndLeavesNoFile) {
  const std::string dir = temp_dir("badwrite");
  EXPECT_THROW(write_png(dir + "/a.png", Image(2, 3, 3), 8), Error);
  EXPECT_THROW(write_png(dir + "/a.png", Image(1, 3, 3), 12), Error);
  EXPECT_THROW(write_png(dir + "/no_such_folder/a.png", Image(1, 3, 3), 8), Error);
  EXPECT_TRUE(fs::is_empty(dir));
}

}  // namespace
}  // namespace ctcscope
