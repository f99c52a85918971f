// TIFF read/write and read_image: every kind write_tiff makes (8/16-bit gray
// and RGB, contiguous and planar, each compression, strips and tiles,
// min-is-white) reads back exactly; pages; bad files (empty, not a TIFF,
// truncated, corrupt, huge header, unsupported kinds) give errors naming the
// file and never print; the channel pick of read_image.
#include <gtest/gtest.h>
#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "data/image_file.h"
#include "data/png.h"
#include "data/tiff.h"
#include "tests/support/test_util.h"
#include "base/error.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;
using test::expect_error_containing;

// Counts of the given depth, drawn at random, as the floats a reader gives.
Image random_counts(std::int64_t c, std::int64_t h, std::int64_t w, int bits, std::uint64_t index) {
  Image image(c, h, w);
  const double max = (1u << bits) - 1;
  Philox rng(Seed{"test.tiff", index, 0});
  for (std::size_t i = 0; i < image.pixels.size(); ++i) {
    image.pixels[i] = static_cast<float>(std::floor(rng.uniform(i) * (max + 1)) / max);
  }
  return image;
}

void expect_same_image(const Image& got, const Image& ref, int bits, const std::string& what) {
  ASSERT_EQ(got.channels, ref.channels) << what;
  ASSERT_EQ(got.height, ref.height) << what;
  ASSERT_EQ(got.width, ref.width) << what;
  EXPECT_EQ(got.bit_depth, bits) << what;
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < ref.pixels.size(); ++i) wrong += got.pixels[i] != ref.pixels[i];
  EXPECT_EQ(wrong, 0u) << what << ": samples that differ";
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The message up to the condition CTC_CHECK appends ("... [cond at file:line]").
void expect_message(const std::string& got, const std::string& want) {
  EXPECT_EQ(got.substr(0, got.find(" [")), want);
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A little-endian classic TIFF by hand: the header, one directory at byte 8
// holding `entries` (one SHORT or LONG value each, in tag order), then `data`,
// which starts at raw_data_offset(entries.size()).
struct RawEntry {
  std::uint16_t tag, type;  // type 3: SHORT, 4: LONG
  std::uint32_t value;
};
std::uint32_t raw_data_offset(std::size_t entries) { return static_cast<std::uint32_t>(8 + 2 + 12 * entries + 4); }

std::string raw_tiff(const std::vector<RawEntry>& entries, const std::string& data) {
  std::string out;
  const auto put = [&out](std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  out += "II";
  put(42, 2);
  put(8, 4);
  put(entries.size(), 2);
  for (const RawEntry& e : entries) {
    put(e.tag, 2);
    put(e.type, 2);
    put(1, 4);
    put(e.value, 4);  // a SHORT sits in the first two bytes: little-endian does that
  }
  put(0, 4);  // no next directory
  return out + data;
}

// An 8-bit gray image of width x height in one uncompressed strip of `bytes`.
std::vector<RawEntry> raw_gray_entries(std::uint32_t width, std::uint32_t height, std::uint32_t bytes) {
  return {{256, 4, width}, {257, 4, height}, {258, 3, 8},          {259, 3, 1},     {262, 3, 1},
          {273, 4, raw_data_offset(9)},      {277, 3, 1},          {278, 4, height}, {279, 4, bytes}};
}

TEST(Tiff, EveryKindReadsBackExactly) {
  const std::string dir = test::fresh_test_dir("tiff_kinds");
  std::uint64_t index = 0;
  int files = 0;
  for (int bits : {8, 16}) {
    for (std::int64_t channels : {1, 3}) {
      for (bool planar : channels == 3 ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
        for (TiffCompression compression : {TiffCompression::none, TiffCompression::lzw, TiffCompression::deflate,
                                            TiffCompression::packbits}) {
          for (bool tiles : {false, true}) {
            // 37 x 45: a partial last strip (8 rows) and partial edge tiles (16).
            const Image ref = random_counts(channels, 37, 45, bits, index++);
            TiffWriteOptions o;
            o.bit_depth = bits;
            o.compression = compression;
            o.tiles = tiles;
            o.planar = planar;
            const std::string path = dir + "/kind" + std::to_string(files++) + ".tif";
            write_tiff(path, {ref}, o);
            expect_same_image(read_tiff(path), ref, bits,
                              path + " (" + std::to_string(bits) + " bits, " + std::to_string(channels) +
                                  " channels, planar " + std::to_string(planar) + ", compression " +
                                  std::to_string(static_cast<int>(compression)) + ", tiles " +
                                  std::to_string(tiles) + ")");
          }
        }
      }
    }
  }
  // No temporary files beside the outputs.
  int found = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().extension(), ".tif") << entry.path();
    ++found;
  }
  EXPECT_EQ(found, files);
}

TEST(Tiff, TheWrittenFileIsWhatTheOptionsSay) {
  // The round trip alone would pass if write_tiff ignored its options; libtiff
  // itself says what was stored.
  const std::string dir = test::fresh_test_dir("tiff_tags");
  TiffWriteOptions o;
  o.bit_depth = 16;
  o.compression = TiffCompression::deflate;
  o.tiles = true;
  o.planar = true;
  write_tiff(dir + "/a.tif", {random_counts(3, 20, 20, 16, 1)}, o);
  TIFF* tif = TIFFOpen((dir + "/a.tif").c_str(), "r");
  ASSERT_NE(tif, nullptr);
  std::uint16_t bits = 0, compression = 0, planar = 0;
  TIFFGetField(tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetField(tif, TIFFTAG_COMPRESSION, &compression);
  TIFFGetField(tif, TIFFTAG_PLANARCONFIG, &planar);
  EXPECT_EQ(bits, 16);
  EXPECT_EQ(compression, COMPRESSION_ADOBE_DEFLATE);
  EXPECT_EQ(planar, PLANARCONFIG_SEPARATE);
  EXPECT_TRUE(TIFFIsTiled(tif));
  EXPECT_EQ(TIFFNumberOfTiles(tif), 3u * 2 * 2);  // 3 planes of 2 x 2 tiles of 16
  TIFFClose(tif);
}

TEST(Tiff, MinIsWhiteIsStoredInvertedAndReadUpright) {
  const std::string dir = test::fresh_test_dir("tiff_white");
  Image ref(1, 1, 3);
  ref.pixels = {0.0f, static_cast<float>(10 / 255.0), 1.0f};
  TiffWriteOptions o;
  o.min_is_white = true;
  write_tiff(dir + "/w.tif", {ref}, o);
  TIFF* tif = TIFFOpen((dir + "/w.tif").c_str(), "r");
  ASSERT_NE(tif, nullptr);
  std::uint16_t photometric = 0;
  TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
  unsigned char stored[3] = {};
  EXPECT_EQ(TIFFReadEncodedStrip(tif, 0, stored, 3), 3);
  TIFFClose(tif);
  EXPECT_EQ(photometric, PHOTOMETRIC_MINISWHITE);
  EXPECT_EQ(stored[0], 255);
  EXPECT_EQ(stored[1], 245);
  EXPECT_EQ(stored[2], 0);
  expect_same_image(read_tiff(dir + "/w.tif"), ref, 8, "min-is-white");
}

TEST(Tiff, SameCountsAsPngGiveTheSameSamples) {
  const std::string dir = test::fresh_test_dir("tiff_png");
  for (int bits : {8, 16}) {
    const Image ref = random_counts(3, 9, 11, bits, 40 + static_cast<std::uint64_t>(bits));
    write_png(dir + "/a.png", ref, bits);
    TiffWriteOptions o;
    o.bit_depth = bits;
    write_tiff(dir + "/a.tif", {ref}, o);
    expect_same_image(read_image(dir + "/a.tif"), read_image(dir + "/a.png"), bits, "tiff vs png");
  }
}

TEST(Tiff, MultiPageNeedsAPageInRange) {
  const std::string dir = test::fresh_test_dir("tiff_pages");
  const std::vector<Image> pages = {random_counts(1, 6, 5, 16, 1), random_counts(1, 6, 5, 16, 2),
                                    random_counts(1, 6, 5, 16, 3)};
  TiffWriteOptions o;
  o.bit_depth = 16;
  o.compression = TiffCompression::lzw;
  const std::string path = dir + "/stack.tif";
  write_tiff(path, pages, o);
  expect_message(error_of([&] { read_tiff(path); }),
            path + ": a multi-page TIFF (3 pages); choose one (page 0 to 2)");
  for (int p = 0; p < 3; ++p) expect_same_image(read_tiff(path, p), pages[p], 16, "page " + std::to_string(p));
  expect_message(error_of([&] { read_tiff(path, 3); }), path + ": page 3 is out of range (the file has 3 pages)");
  expect_error_containing([&] { read_tiff(path, -2); }, "page -2 is out of range");

  write_tiff(dir + "/one.tif", {pages[0]}, o);
  expect_same_image(read_tiff(dir + "/one.tif", 0), pages[0], 16, "page 0 of one");
  expect_message(error_of([&] { read_tiff(dir + "/one.tif", 1); }),
            dir + "/one.tif: page 1 is out of range (the file has 1 page)");
  // Through read_image: a page goes to TIFFs; a PNG has page 0 only.
  ImageReadOptions second;
  second.page = 1;
  expect_same_image(read_image(path, second), pages[1], 16, "read_image page 1");
  write_png(dir + "/a.png", pages[0], 16);
  expect_error_containing([&] { read_image(dir + "/a.png", second); }, "a.png: page 1 asked of a PNG file");
  ImageReadOptions first;
  first.page = 0;
  expect_same_image(read_image(dir + "/a.png", first), pages[0], 16, "png page 0");
}

TEST(Tiff, EmptyNotATiffAndTruncatedFilesEachSaySo) {
  const std::string dir = test::fresh_test_dir("tiff_bad");
  write_bytes(dir + "/empty.tif", "");
  expect_message(error_of([&] { read_tiff(dir + "/empty.tif"); }), dir + "/empty.tif: empty file");
  write_bytes(dir + "/text.tif", "cell_id,label\n");
  expect_message(error_of([&] { read_tiff(dir + "/text.tif"); }), dir + "/text.tif: not a TIFF file");
  write_png(dir + "/png.tif", random_counts(1, 4, 4, 8, 0), 8);  // a PNG named .tif
  expect_message(error_of([&] { read_tiff(dir + "/png.tif"); }), dir + "/png.tif: not a TIFF file");
  expect_error_containing([&] { read_tiff(dir + "/missing.tif"); }, dir + "/missing.tif: cannot open");

  // libtiff writes the image data first and the directory last: cuts inside
  // the header, the data and the directory.
  write_tiff(dir + "/whole.tif", {random_counts(1, 30, 30, 8, 5)});
  const std::string whole = bytes_of(dir + "/whole.tif");
  for (std::size_t keep : {std::size_t{3}, std::size_t{6}, whole.size() / 2, whole.size() - 20}) {
    const std::string path = dir + "/cut" + std::to_string(keep) + ".tif";
    write_bytes(path, whole.substr(0, keep));
    const std::string message = error_of([&] { read_tiff(path); });
    if (keep == 3) {
      EXPECT_EQ(message, path + ": not a TIFF file");  // the magic number itself is cut
    } else {
      EXPECT_EQ(message.rfind(path + ": truncated (", 0), 0u) << message;
    }
  }
  // Directory intact, image data cut: the strip runs past the end.
  const std::string raw = raw_tiff(raw_gray_entries(4, 2, 8), "abcdefgh");
  write_bytes(dir + "/raw.tif", raw);
  const Image ok = read_tiff(dir + "/raw.tif");
  EXPECT_EQ(ok.at(0, 1, 3), static_cast<float>('h' / 255.0));  // the hand-made file itself is good
  write_bytes(dir + "/short_data.tif", raw.substr(0, raw.size() - 3));
  expect_message(error_of([&] { read_tiff(dir + "/short_data.tif"); }),
            dir + "/short_data.tif: truncated (strip 0 of 1 ends at byte " + std::to_string(raw.size()) +
                ", the file has " + std::to_string(raw.size() - 3) + ")");
}

TEST(Tiff, CorruptFilesQuoteLibtiffAndNameTheFile) {
  const std::string dir = test::fresh_test_dir("tiff_corrupt");
  // A directory of zero entries.
  write_bytes(dir + "/nodir.tif", raw_tiff({}, ""));
  const std::string nodir = error_of([&] { read_tiff(dir + "/nodir.tif"); });
  EXPECT_EQ(nodir.rfind(dir + "/nodir.tif: corrupt TIFF (libtiff: ", 0), 0u) << nodir;
  // LZW data overwritten with noise.
  TiffWriteOptions o;
  o.compression = TiffCompression::lzw;
  write_tiff(dir + "/lzw.tif", {random_counts(1, 16, 16, 8, 9)}, o);
  std::string bytes = bytes_of(dir + "/lzw.tif");
  for (std::size_t i = 8; i < 8 + 64; ++i) bytes[i] = static_cast<char>(0xff);  // the strip starts at byte 8
  write_bytes(dir + "/lzw.tif", bytes);
  const std::string lzw = error_of([&] { read_tiff(dir + "/lzw.tif"); });
  const std::string lzw_start = dir + "/lzw.tif: corrupt TIFF (strip 0 of 2 cannot be decoded; libtiff: ";
  EXPECT_EQ(lzw.rfind(lzw_start, 0), 0u) << lzw;
  EXPECT_GT(lzw.size(), lzw_start.size() + 2) << "libtiff's words are missing";
  EXPECT_EQ(lzw.find("lzw.tif", lzw_start.size()), std::string::npos) << "the file is named once: " << lzw;
}

TEST(Tiff, HugeHeaderIsRefusedBeforeAllocating) {
  const std::string dir = test::fresh_test_dir("tiff_huge");
  // 1e6 x 1e6 pixels claimed by a 130-byte file: 4 TB of floats if trusted.
  write_bytes(dir + "/huge.tif", raw_tiff(raw_gray_entries(1000000, 1000000, 8), "abcdefgh"));
  expect_message(error_of([&] { read_tiff(dir + "/huge.tif"); }),
            dir + "/huge.tif: image of 1000000x1000000x1 is over the limit (16384 pixels a side, 67108864 samples)");
  // Sides within bounds, samples not.
  write_bytes(dir + "/wide.tif", raw_tiff(raw_gray_entries(16384, 16384, 8), "abcdefgh"));
  expect_error_containing([&] { read_tiff(dir + "/wide.tif"); }, "wide.tif: image of 16384x16384x1 is over the limit");
}

// Writes a one-strip uncompressed file with libtiff and the tags `set` gives.
void write_with_libtiff(const std::string& path, std::uint32_t bytes, const std::function<void(TIFF*)>& set) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  ASSERT_NE(tif, nullptr);
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 2u);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 2u);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 2u);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  set(tif);
  std::vector<unsigned char> data(bytes, 7);
  ASSERT_GE(TIFFWriteEncodedStrip(tif, 0, data.data(), static_cast<tmsize_t>(bytes)), 0);
  TIFFClose(tif);
}

TEST(Tiff, UnsupportedKindsAreRefusedNamingTheProperty) {
  const std::string dir = test::fresh_test_dir("tiff_kinds_refused");
  const auto gray = [](int bits, int format) {
    return [bits, format](TIFF* tif) {
      TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits);
      TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, format);
      TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    };
  };
  write_with_libtiff(dir + "/float.tif", 16, gray(32, SAMPLEFORMAT_IEEEFP));
  write_with_libtiff(dir + "/signed.tif", 8, gray(16, SAMPLEFORMAT_INT));
  write_with_libtiff(dir + "/bits12.tif", 6, gray(12, SAMPLEFORMAT_UINT));
  write_with_libtiff(dir + "/bits1.tif", 2, gray(1, SAMPLEFORMAT_UINT));
  write_with_libtiff(dir + "/bits32.tif", 16, gray(32, SAMPLEFORMAT_UINT));
  write_with_libtiff(dir + "/palette.tif", 4, [](TIFF* tif) {
    static std::vector<std::uint16_t> map(256, 0);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_PALETTE);
    TIFFSetField(tif, TIFFTAG_COLORMAP, map.data(), map.data(), map.data());
  });
  write_with_libtiff(dir + "/cmyk.tif", 16, [](TIFF* tif) {
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 4);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_SEPARATED);
  });
  write_with_libtiff(dir + "/rgba.tif", 16, [](TIFF* tif) {
    const std::uint16_t alpha = EXTRASAMPLE_UNASSALPHA;
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 4);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
    TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &alpha);
  });
  write_with_libtiff(dir + "/flipped.tif", 4, [&](TIFF* tif) {
    gray(8, SAMPLEFORMAT_UINT)(tif);
    TIFFSetField(tif, TIFFTAG_ORIENTATION, ORIENTATION_BOTLEFT);
  });
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"float.tif", "unsupported TIFF: floating-point samples (sample format 3"},
      {"signed.tif", "unsupported TIFF: signed samples (sample format 2"},
      {"bits12.tif", "unsupported TIFF: 12 bits per sample (8 or 16 are read)"},
      {"bits1.tif", "unsupported TIFF: 1 bits per sample"},
      {"bits32.tif", "unsupported TIFF: 32 bits per sample"},
      {"palette.tif", "unsupported TIFF: palette (indexed) colour (photometric 3"},
      {"cmyk.tif", "unsupported TIFF: CMYK (separated) colour (photometric 5"},
      {"rgba.tif", "unsupported TIFF: 4 samples per pixel for RGB (alpha and extra samples are not read)"},
      {"flipped.tif", "unsupported TIFF: orientation 4"},
  };
  for (const auto& [name, needle] : cases) {
    expect_error_containing([&] { read_tiff(dir + "/" + name); }, dir + "/" + name + ": " + needle);
  }
}

TEST(Tiff, LibtiffMessagesStayOffStderrAndWithTheirFile) {
  // The loader decodes on several threads: each error must quote the
  // message of its own file, and nothing may reach stderr.
  const std::string dir = test::fresh_test_dir("tiff_threads");
  std::vector<std::string> paths;
  for (int i = 0; i < 4; ++i) {
    paths.push_back(dir + "/bad" + std::to_string(i) + ".tif");
    write_bytes(paths.back(), raw_tiff({}, ""));
  }
  std::vector<std::string> last(paths.size());
  testing::internal::CaptureStderr();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < paths.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 50; ++k) last[t] = error_of([&] { read_tiff(paths[t]); });
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  const std::string libtiff_text = last[0].substr(paths[0].size());
  for (std::size_t t = 0; t < paths.size(); ++t) {
    EXPECT_EQ(last[t].rfind(paths[t] + ": corrupt TIFF (libtiff: ", 0), 0u) << last[t];
    EXPECT_EQ(last[t], paths[t] + libtiff_text);
  }
}

TEST(Tiff, WriteRefusesBadInputAndLeavesNothing) {
  const std::string dir = test::fresh_test_dir("tiff_write_bad");
  TiffWriteOptions o;
  o.bit_depth = 12;
  expect_error_containing([&] { write_tiff(dir + "/a.tif", {Image(1, 2, 2)}, o); }, "bit depth must be 8 or 16");
  o = {};
  o.tiles = true;
  o.tile_side = 20;
  expect_error_containing([&] { write_tiff(dir + "/a.tif", {Image(1, 2, 2)}, o); }, "multiple of 16");
  expect_error_containing([&] { write_tiff(dir + "/a.tif", {Image(2, 2, 2)}, {}); }, "1 or 3 channels, got 2");
  expect_error_containing([&] { write_tiff(dir + "/a.tif", {}, {}); }, "no image to write");
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(ReadImage, ChannelPicksOfTiff) {
  const std::string dir = test::fresh_test_dir("tiff_channels");
  const Image rgb = random_counts(3, 5, 6, 16, 77);
  TiffWriteOptions o;
  o.bit_depth = 16;
  write_tiff(dir + "/rgb.tif", {rgb}, o);
  const std::int64_t plane = 5 * 6;
  const ChannelPick picks[] = {ChannelPick::red, ChannelPick::green, ChannelPick::blue};
  for (int c = 0; c < 3; ++c) {
    Image want(1, 5, 6);
    std::copy(rgb.pixels.begin() + c * plane, rgb.pixels.begin() + (c + 1) * plane, want.pixels.begin());
    ImageReadOptions options;
    options.channel = picks[c];
    expect_same_image(read_image(dir + "/rgb.tif", options), want, 16, channel_pick_name(picks[c]));
  }
  Image gray_want = to_gray(rgb);
  expect_same_image(read_image(dir + "/rgb.tif"), gray_want, 16, "gray of RGB");

  // A gray file gives its only channel whatever is asked; .TIFF in any case.
  const Image gray = random_counts(1, 5, 6, 8, 78);
  write_tiff(dir + "/g.TIFF", {gray});
  for (ChannelPick pick : {ChannelPick::gray, ChannelPick::red, ChannelPick::blue}) {
    ImageReadOptions options;
    options.channel = pick;
    expect_same_image(read_image(dir + "/g.TIFF", options), gray, 8, channel_pick_name(pick));
  }
  EXPECT_TRUE(is_image_file_name("a/b_BF.Tif"));
  EXPECT_TRUE(is_image_file_name("b.tiff"));
  EXPECT_FALSE(is_image_file_name("b.tiff.csv"));
  EXPECT_FALSE(is_image_file_name("dir.tif/b"));
  expect_error_containing([&] { read_image(dir + "/a.jpg"); }, "a.jpg: not an image file name");
}

}  // namespace
}  // namespace ctcscope
