// TIFF read and write with libtiff. Strips are handled as tiles one image
// wide, so one walk over "blocks" (plane, block row, block column: libtiff's
// own strip/tile numbering) serves both directions. libtiff's messages go to
// handlers bound to each open file (TIFFOpenOptions), never to stderr, and
// become a ctcscope::Error naming the file.
#include "data/tiff.h"

#include <tiffio.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "base/atomic_file.h"
#include "base/error.h"

namespace ctcscope {
namespace {

// libtiff's own allocations (directory arrays, codec state) stay under this:
// a hostile header cannot make it reserve more than the largest image we take.
constexpr tmsize_t kLibtiffMaxAlloc = static_cast<tmsize_t>(kImageMaxSamples * 2);

// The first error libtiff reported on one open file. One per call: the loader
// reads images from several threads.
struct TiffMessages {
  std::string error;
};

extern "C" int tiff_capture_error(TIFF* tif, void* user, const char* module, const char* fmt, va_list ap) {
  auto* messages = static_cast<TiffMessages*>(user);
  if (messages->error.empty()) {
    char text[512];
    std::vsnprintf(text, sizeof text, fmt, ap);
    // Many messages give the file name as their module: ours names it already.
    const bool module_is_file = module && tif && std::strcmp(module, TIFFFileName(tif)) == 0;
    messages->error = module && !module_is_file ? std::string(module) + ": " + text : text;
  }
  return 1;  // handled: the process-wide handler (stderr) is not called
}

extern "C" int tiff_ignore_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

// An open TIFF with the handlers above, closed on scope exit.
class TiffFile {
 public:
  TiffFile(const std::string& path, const char* mode, TiffMessages& messages) {
    // The few messages libtiff reports without a file handle would go to
    // stderr; silenced once for the process.
    static std::once_flag silenced;
    std::call_once(silenced, [] {
      TIFFSetErrorHandler(nullptr);
      TIFFSetWarningHandler(nullptr);
    });
    TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
    CTC_CHECK_INPUT(options, path, ": libtiff could not start (out of memory)");
    TIFFOpenOptionsSetErrorHandlerExtR(options, tiff_capture_error, &messages);
    TIFFOpenOptionsSetWarningHandlerExtR(options, tiff_ignore_warning, nullptr);
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, kLibtiffMaxAlloc);
    tif_ = TIFFOpenExt(path.c_str(), mode, options);
    TIFFOpenOptionsFree(options);
  }
  ~TiffFile() {
    if (tif_) TIFFClose(tif_);
  }
  TiffFile(const TiffFile&) = delete;
  TiffFile& operator=(const TiffFile&) = delete;
  TIFF* get() const { return tif_; }

 private:
  TIFF* tif_ = nullptr;
};

std::string libtiff_said(const TiffMessages& messages) {
  return messages.error.empty() ? "no message" : messages.error;
}

// One page's sample layout, from its tags or for writing an image.
struct TiffLayout {
  std::uint32_t width = 0, height = 0;
  int samples = 0;     // per pixel: 1 gray, 3 RGB
  int bits = 0;        // 8 or 16
  bool planar = false; // separate planes (PLANARCONFIG_SEPARATE)
  bool min_is_white = false;  // gray stored inverted
  bool tiled = false;
  std::uint32_t block_width = 0, block_height = 0;  // a strip is image-wide

  int planes() const { return planar ? samples : 1; }
  int samples_per_block_pixel() const { return planar ? 1 : samples; }
  std::uint32_t blocks_across() const { return (width + block_width - 1) / block_width; }
  std::uint32_t blocks_down() const { return (height + block_height - 1) / block_height; }
  std::uint64_t block_count() const { return std::uint64_t{blocks_across()} * blocks_down() * planes(); }
  std::uint32_t rows_in(std::uint32_t block_row) const {
    return std::min(block_height, height - block_row * block_height);
  }
  // Bytes of one block as stored; the last strip holds only its rows.
  std::uint64_t block_bytes(std::uint32_t rows) const {
    return std::uint64_t{block_width} * rows * static_cast<std::uint64_t>(samples_per_block_pixel() * bits / 8);
  }
};

// Calls fn(sample index in the block, channel, y, x) for each sample of the
// block that lies inside the image (edge tiles are padded past it).
template <class Fn>
void for_each_block_sample(const TiffLayout& l, int plane, std::uint32_t block_row, std::uint32_t block_col, Fn fn) {
  const int spp = l.samples_per_block_pixel();
  const std::uint32_t y0 = block_row * l.block_height, x0 = block_col * l.block_width;
  const std::uint32_t rows = l.rows_in(block_row), cols = std::min(l.block_width, l.width - x0);
  for (std::uint32_t r = 0; r < rows; ++r) {
    for (std::uint32_t q = 0; q < cols; ++q) {
      for (int s = 0; s < spp; ++s) {
        const std::size_t k = (std::size_t{r} * l.block_width + q) * static_cast<std::size_t>(spp) +
                              static_cast<std::size_t>(s);
        fn(k, plane + s, std::int64_t{y0 + r}, std::int64_t{x0 + q});
      }
    }
  }
}

// Bytes of a file by offset, for the checks before libtiff opens it.
class FileBytes {
 public:
  explicit FileBytes(const std::string& path) : file_(std::fopen(path.c_str(), "rb")) {
    if (!file_) CTC_FAIL(path, ": cannot open (", std::strerror(errno), ")");
    std::fseek(file_, 0, SEEK_END);
    size_ = static_cast<std::uint64_t>(std::max(0L, std::ftell(file_)));
  }
  ~FileBytes() { std::fclose(file_); }
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  std::uint64_t size() const { return size_; }
  // Up to n bytes at offset: fewer where the file ends.
  std::string read_at(std::uint64_t offset, std::uint64_t n) const {
    if (offset >= size_) return "";
    std::string out(static_cast<std::size_t>(std::min(n, size_ - offset)), '\0');
    std::fseek(file_, static_cast<long>(offset), SEEK_SET);
    out.resize(std::fread(out.data(), 1, out.size(), file_));
    return out;
  }

 private:
  std::FILE* file_;
  std::uint64_t size_ = 0;
};

// Bytes per value of a TIFF field type (0: a type this check does not know).
std::uint64_t tiff_type_size(std::uint64_t type) {
  static constexpr std::uint8_t sizes[] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4};
  return type < sizeof sizes ? sizes[type] : 0;
}

// The file's size, after the checks libtiff words vaguely ("IO error during
// reading of ..."): empty, not a TIFF (magic), and a classic TIFF whose first
// directory, or a tag value stored outside it, runs past the end of the file.
std::uint64_t check_file_start(const std::string& path) {
  const FileBytes file(path);
  const std::string head = file.read_at(0, 8);
  if (head.empty()) CTC_FAIL(path, ": empty file");
  const bool little = head.compare(0, 2, "II") == 0;
  const auto number = [little](const std::string& b, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      const auto byte = static_cast<unsigned char>(b[at + static_cast<std::size_t>(little ? bytes - 1 - i : i)]);
      v = v << 8 | byte;
    }
    return v;
  };
  const bool byte_order = little || head.compare(0, 2, "MM") == 0;
  const std::uint64_t version = head.size() >= 4 ? number(head, 2, 2) : 0;
  if (!byte_order || (version != 42 && version != 43)) CTC_FAIL(path, ": not a TIFF file");
  if (head.size() < 8) CTC_FAIL(path, ": truncated (", head.size(), " bytes, shorter than a TIFF header)");
  if (version == 43) return file.size();  // BigTIFF: libtiff checks its longer layout alone

  const std::uint64_t ifd = number(head, 4, 4);
  const std::string count = file.read_at(ifd, 2);
  const std::uint64_t entries = count.size() == 2 ? number(count, 0, 2) : 0;
  const std::string directory = file.read_at(ifd + 2, 12 * entries);
  if (count.size() < 2 || directory.size() < 12 * entries) {
    CTC_FAIL(path, ": truncated (the first directory, at byte ", ifd, ", runs past the end of the ", file.size(),
             "-byte file)");
  }
  for (std::size_t e = 0; e < entries; ++e) {
    const std::uint64_t bytes = tiff_type_size(number(directory, 12 * e + 2, 2)) * number(directory, 12 * e + 4, 4);
    const std::uint64_t offset = number(directory, 12 * e + 8, 4);
    if (bytes > 4 && offset + bytes > file.size()) {  // up to 4 bytes sit in the entry itself
      CTC_FAIL(path, ": truncated (the values of tag ", number(directory, 12 * e, 2), " end at byte ", offset + bytes,
               ", the file has ", file.size(), ")");
    }
  }
  return file.size();
}

const char* photometric_name(std::uint16_t photometric) {
  switch (photometric) {
    case PHOTOMETRIC_PALETTE: return "palette (indexed) colour";
    case PHOTOMETRIC_SEPARATED: return "CMYK (separated) colour";
    case PHOTOMETRIC_YCBCR: return "YCbCr colour";
    case PHOTOMETRIC_MASK: return "a transparency mask";
    case PHOTOMETRIC_CIELAB: case PHOTOMETRIC_ICCLAB: case PHOTOMETRIC_ITULAB: return "Lab colour";
    default: return "an unusual photometric interpretation";
  }
}

// The current page's layout from its tags; anything this reader does not
// take is refused naming the property, sizes before anything is allocated.
TiffLayout read_layout(TIFF* tif, const std::string& path) {
  std::uint32_t width = 0, height = 0;
  std::uint16_t samples = 0, bits = 0, format = 0, photometric = 0, planar = 0, compression = 0, orientation = 0;
  CTC_CHECK_INPUT(TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) && TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height), path,
                  ": corrupt TIFF (no image width or length)");
  CTC_CHECK_INPUT(TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric), path,
                  ": corrupt TIFF (no photometric interpretation: gray or RGB is not said)");
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
  TIFFGetFieldDefaulted(tif, TIFFTAG_ORIENTATION, &orientation);

  const bool gray = photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE;
  CTC_CHECK_INPUT(gray || photometric == PHOTOMETRIC_RGB, path, ": unsupported TIFF: ", photometric_name(photometric),
                  " (photometric ", photometric, "; gray and RGB are read)");
  CTC_CHECK_INPUT(samples == (gray ? 1 : 3), path, ": unsupported TIFF: ", samples, " samples per pixel for ",
                  gray ? "gray" : "RGB", " (alpha and extra samples are not read)");
  CTC_CHECK_INPUT(format == SAMPLEFORMAT_UINT, path, ": unsupported TIFF: ",
                  format == SAMPLEFORMAT_IEEEFP ? "floating-point" : format == SAMPLEFORMAT_INT ? "signed" : "unusual",
                  " samples (sample format ", format, "; unsigned integers are read)");
  CTC_CHECK_INPUT(bits == 8 || bits == 16, path, ": unsupported TIFF: ", bits, " bits per sample (8 or 16 are read)");
  CTC_CHECK_INPUT(orientation == ORIENTATION_TOPLEFT, path, ": unsupported TIFF: orientation ", orientation,
                  " (only top-left, 1, is read)");
  CTC_CHECK_INPUT(TIFFIsCODECConfigured(compression), path, ": unsupported TIFF: compression ", compression,
                  ", which this libtiff cannot decode");
  CTC_CHECK_INPUT(width > 0 && height > 0, path, ": corrupt TIFF (image size ", width, "x", height, ")");
  const std::uint64_t image_samples = std::uint64_t{width} * height * samples;
  CTC_CHECK_INPUT(width <= kImageMaxSide && height <= kImageMaxSide && image_samples <= kImageMaxSamples, path,
                  ": image of ", width, "x", height, "x", samples, " is over the limit (", kImageMaxSide, " pixels a side, ",
                  kImageMaxSamples, " samples)");

  TiffLayout l;
  l.width = width;
  l.height = height;
  l.samples = samples;
  l.bits = bits;
  l.planar = samples > 1 && planar == PLANARCONFIG_SEPARATE;
  l.min_is_white = photometric == PHOTOMETRIC_MINISWHITE;
  l.tiled = TIFFIsTiled(tif) != 0;
  if (l.tiled) {
    CTC_CHECK_INPUT(TIFFGetField(tif, TIFFTAG_TILEWIDTH, &l.block_width) &&
                        TIFFGetField(tif, TIFFTAG_TILELENGTH, &l.block_height),
                    path, ": corrupt TIFF (tiled without a tile size)");
    const std::uint64_t tile_samples = std::uint64_t{l.block_width} * l.block_height * l.samples_per_block_pixel();
    CTC_CHECK_INPUT(l.block_width > 0 && l.block_height > 0 && l.block_width <= kImageMaxSide &&
                        l.block_height <= kImageMaxSide && tile_samples <= kImageMaxSamples,
                    path, ": corrupt TIFF (tile size ", l.block_width, "x", l.block_height, ")");
  } else {
    std::uint32_t rows_per_strip = 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
    CTC_CHECK_INPUT(rows_per_strip > 0, path, ": corrupt TIFF (0 rows per strip)");
    l.block_width = width;
    l.block_height = std::min(rows_per_strip, height);  // "all rows" is often written as 2^32 - 1
  }
  const std::uint64_t stored = l.tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
  CTC_CHECK_INPUT(stored == l.block_count(), path, ": corrupt TIFF (", stored, l.tiled ? " tiles" : " strips",
                  " where the image size asks for ", l.block_count(), ")");
  return l;
}

// Every strip or tile must lie inside the file: a cut file is "truncated",
// not whatever a codec makes of the missing bytes.
void check_blocks_inside(TIFF* tif, const TiffLayout& l, std::uint64_t file_size, const std::string& path) {
  for (std::uint64_t b = 0; b < l.block_count(); ++b) {
    const auto index = static_cast<std::uint32_t>(b);
    const std::uint64_t end = TIFFGetStrileOffset(tif, index) + TIFFGetStrileByteCount(tif, index);
    if (end > file_size) {
      CTC_FAIL(path, ": truncated (", l.tiled ? "tile " : "strip ", b, " of ", l.block_count(), " ends at byte ",
               end, ", the file has ", file_size, ")");
    }
  }
}

Image decode_page(TIFF* tif, const TiffLayout& l, const std::string& path,
                  const TiffMessages& messages) {
  Image image(l.samples, l.height, l.width);
  image.bit_depth = l.bits;
  const std::uint32_t max = (1u << l.bits) - 1;
  const double full_scale = max;  // divided in double as read_png does: equal counts give equal floats
  std::vector<unsigned char> block(static_cast<std::size_t>(l.block_bytes(l.block_height)));
  std::uint32_t index = 0;
  for (int plane = 0; plane < l.planes(); ++plane) {
    for (std::uint32_t row = 0; row < l.blocks_down(); ++row) {
      for (std::uint32_t col = 0; col < l.blocks_across(); ++col, ++index) {
        const auto capacity = static_cast<tmsize_t>(block.size());
        const tmsize_t got = l.tiled ? TIFFReadEncodedTile(tif, index, block.data(), capacity)
                                     : TIFFReadEncodedStrip(tif, index, block.data(), capacity);
        const std::uint64_t needed = l.tiled ? block.size() : l.block_bytes(l.rows_in(row));
        if (got < 0 || static_cast<std::uint64_t>(got) < needed) {
          CTC_FAIL(path, ": corrupt TIFF (", l.tiled ? "tile " : "strip ", index, " of ", l.block_count(),
                   " cannot be decoded; libtiff: ", libtiff_said(messages), ")");
        }
        for_each_block_sample(l, plane, row, col, [&](std::size_t k, int c, std::int64_t y, std::int64_t x) {
          std::uint32_t count = block[k];
          if (l.bits == 16) {
            std::uint16_t v;  // libtiff hands back host byte order
            std::memcpy(&v, block.data() + 2 * k, 2);
            count = v;
          }
          if (l.min_is_white) count = max - count;
          image.at(c, y, x) = static_cast<float>(count / full_scale);
        });
      }
    }
  }
  return image;
}

void choose_page(TIFF* tif, int page, const std::string& path, const TiffMessages& messages) {
  const tdir_t pages = TIFFNumberOfDirectories(tif);
  if (page == -1) {
    CTC_CHECK_INPUT(pages == 1, path, ": a multi-page TIFF (", pages, " pages); choose one (page 0 to ", pages - 1, ")");
    return;
  }
  CTC_CHECK_INPUT(page >= 0 && static_cast<tdir_t>(page) < pages, path, ": page ", page, " is out of range (the file has ",
                  pages, pages == 1 ? " page)" : " pages)");
  CTC_CHECK_INPUT(TIFFSetDirectory(tif, static_cast<tdir_t>(page)), path, ": corrupt TIFF (page ", page,
                  " cannot be read; libtiff: ", libtiff_said(messages), ")");
}

std::uint16_t compression_tag(TiffCompression c) {
  switch (c) {
    case TiffCompression::none: return COMPRESSION_NONE;
    case TiffCompression::lzw: return COMPRESSION_LZW;
    case TiffCompression::deflate: return COMPRESSION_ADOBE_DEFLATE;
    case TiffCompression::packbits: return COMPRESSION_PACKBITS;
  }
  return COMPRESSION_NONE;
}

TiffLayout write_layout(const Image& image, const TiffWriteOptions& o, const std::string& path) {
  CTC_CHECK_INPUT(image.channels == 1 || image.channels == 3, path, ": TIFF needs 1 or 3 channels, got ", image.channels);
  CTC_CHECK(image.height > 0 && image.width > 0 && image.height <= kImageMaxSide && image.width <= kImageMaxSide,
            path, ": image size ", image.height, "x", image.width, " out of range");
  CTC_CHECK(image.pixels.size() == static_cast<std::size_t>(image.channels * image.height * image.width), path,
            ": image holds ", image.pixels.size(), " samples, its shape says ",
            image.channels * image.height * image.width);
  TiffLayout l;
  l.width = static_cast<std::uint32_t>(image.width);
  l.height = static_cast<std::uint32_t>(image.height);
  l.samples = static_cast<int>(image.channels);
  l.bits = o.bit_depth;
  l.planar = o.planar && l.samples > 1;
  l.min_is_white = o.min_is_white && l.samples == 1;
  l.tiled = o.tiles;
  l.block_width = o.tiles ? static_cast<std::uint32_t>(o.tile_side) : l.width;
  l.block_height = o.tiles ? static_cast<std::uint32_t>(o.tile_side)
                           : std::min(static_cast<std::uint32_t>(o.rows_per_strip), l.height);
  return l;
}

void write_page(TIFF* tif, const Image& image, const TiffWriteOptions& o, const std::string& path,
                const TiffMessages& messages) {
  const TiffLayout l = write_layout(image, o, path);
  const std::uint16_t compression = compression_tag(o.compression);
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, l.width);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, l.height);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, static_cast<std::uint16_t>(l.samples));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, static_cast<std::uint16_t>(l.bits));
  TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC,
               l.samples == 3 ? PHOTOMETRIC_RGB : l.min_is_white ? PHOTOMETRIC_MINISWHITE : PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, l.planar ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, compression);
  // The horizontal predictor is what microscope software writes with LZW and
  // deflate; it also makes the reader's tests undo it.
  if (compression == COMPRESSION_LZW || compression == COMPRESSION_ADOBE_DEFLATE) {
    TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
  }
  if (l.tiled) {
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, l.block_width);
    TIFFSetField(tif, TIFFTAG_TILELENGTH, l.block_height);
  } else {
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, l.block_height);
  }
  const std::uint32_t max = (1u << l.bits) - 1;
  std::vector<unsigned char> block(static_cast<std::size_t>(l.block_bytes(l.block_height)));
  std::uint32_t index = 0;
  for (int plane = 0; plane < l.planes(); ++plane) {
    for (std::uint32_t row = 0; row < l.blocks_down(); ++row) {
      for (std::uint32_t col = 0; col < l.blocks_across(); ++col, ++index) {
        std::fill(block.begin(), block.end(), 0);  // tile padding past the image
        for_each_block_sample(l, plane, row, col, [&](std::size_t k, int c, std::int64_t y, std::int64_t x) {
          std::uint32_t count = quantize_sample(image.at(c, y, x), max);
          if (l.min_is_white) count = max - count;
          if (l.bits == 16) {
            const auto v = static_cast<std::uint16_t>(count);
            std::memcpy(block.data() + 2 * k, &v, 2);  // libtiff takes host byte order
          } else {
            block[k] = static_cast<unsigned char>(count);
          }
        });
        const auto bytes = static_cast<tmsize_t>(l.tiled ? block.size() : l.block_bytes(l.rows_in(row)));
        const tmsize_t wrote = l.tiled ? TIFFWriteEncodedTile(tif, index, block.data(), bytes)
                                       : TIFFWriteEncodedStrip(tif, index, block.data(), bytes);
        CTC_CHECK_INPUT(wrote >= 0, path, ": TIFF write failed (libtiff: ", libtiff_said(messages), ")");
      }
    }
  }
  CTC_CHECK_INPUT(TIFFWriteDirectory(tif), path, ": TIFF write failed (libtiff: ", libtiff_said(messages), ")");
}

}  // namespace

Image read_tiff(const std::string& path, int page) {
  const std::uint64_t file_size = check_file_start(path);
  TiffMessages messages;
  TiffFile file(path, "r", messages);
  CTC_CHECK_INPUT(file.get(), path, ": corrupt TIFF (libtiff: ", libtiff_said(messages), ")");
  choose_page(file.get(), page, path, messages);
  const TiffLayout layout = read_layout(file.get(), path);
  check_blocks_inside(file.get(), layout, file_size, path);
  return decode_page(file.get(), layout, path, messages);
}

void write_tiff(const std::string& path, const std::vector<Image>& pages, const TiffWriteOptions& options) {
  CTC_CHECK_INPUT(!pages.empty(), path, ": no image to write");
  CTC_CHECK_INPUT(options.bit_depth == 8 || options.bit_depth == 16, path, ": TIFF bit depth must be 8 or 16, got ",
                  options.bit_depth);
  CTC_CHECK_INPUT(options.rows_per_strip > 0, path, ": rows per strip must be positive, got ", options.rows_per_strip);
  CTC_CHECK_INPUT(options.tile_side > 0 && options.tile_side % 16 == 0 && options.tile_side <= 4096, path,
                  ": tile side must be a multiple of 16 up to 4096, got ", options.tile_side);
  AtomicFile file(path);  // removes its temporary file unless committed
  {
    // libtiff opens the temporary file by name (it reads back while linking
    // pages); AtomicFile's own handle then fsyncs and renames it.
    TiffMessages messages;
    TiffFile tif(file.temp_path(), "w", messages);
    CTC_CHECK_INPUT(tif.get(), path, ": TIFF write failed (libtiff: ", libtiff_said(messages), ")");
    for (const Image& page : pages) write_page(tif.get(), page, options, path, messages);
    CTC_CHECK_INPUT(TIFFFlush(tif.get()), path, ": TIFF write failed (libtiff: ", libtiff_said(messages), ")");
  }
  file.commit();
}

}  // namespace ctcscope
