// ZipReader: end of central directory (zip64 locator and record when
// present), the central directory's file headers with their zip64 extra
// fields, and each entry's local header, all checked against the file size.
#include "formats/zip_reader.h"

#include <array>
#include <cstring>
#include <set>

#include "base/error.h"

namespace ctcscope {
namespace {

constexpr std::uint32_t kLocalHeaderSig = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint64_t kEndBytes = 22;
constexpr std::uint64_t kMaxComment = 0xffff;

std::uint64_t le(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

}  // namespace

std::uint32_t crc32_update(std::uint32_t crc, const void* data, std::size_t bytes) {
  static const std::array<std::uint32_t, 256> table = make_crc_table();
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < bytes; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

ZipReader::ZipReader(const std::string& path) : file_(path) {
  const std::string& file = file_.name();
  const std::uint64_t size = file_.size();
  CTC_CHECK_INPUT(size >= kEndBytes, file, ": ", size, " bytes is too short for a zip archive");

  // The end record is the last 22 bytes plus a comment of at most 64 KiB.
  std::uint64_t tail_len = std::min(size, kEndBytes + kMaxComment);
  std::string tail = file_.read_string_at(size - tail_len, tail_len);
  const auto* t = reinterpret_cast<const unsigned char*>(tail.data());
  std::int64_t end_pos = -1;
  for (std::int64_t i = static_cast<std::int64_t>(tail_len - kEndBytes); i >= 0; --i) {
    if (le(t + i, 4) == kEndSig &&
        static_cast<std::uint64_t>(i) + kEndBytes + le(t + i + 20, 2) == tail_len) {
      end_pos = i;
      break;
    }
  }
  CTC_CHECK_INPUT(end_pos >= 0, file, ": no zip end-of-central-directory record: not a zip archive, or truncated");
  const unsigned char* end = t + end_pos;
  std::uint64_t end_offset = size - tail_len + static_cast<std::uint64_t>(end_pos);
  std::uint64_t count = le(end + 10, 2);
  std::uint64_t cd_size = le(end + 12, 4);
  std::uint64_t cd_offset = le(end + 16, 4);
  CTC_CHECK_INPUT(le(end + 4, 2) == 0 && le(end + 6, 2) == 0, file, ": multi-disk zip archives are not supported");

  // zip64: a 20-byte locator right before the end record points at the
  // 56-byte zip64 end record, which holds the 64-bit count, size and offset.
  if (end_offset >= 20) {
    unsigned char loc[20];
    file_.read_at(end_offset - 20, loc, 20);
    if (le(loc, 4) == kZip64LocatorSig) {
      std::uint64_t rec_offset = le(loc + 8, 8);
      CTC_CHECK_INPUT(rec_offset <= end_offset - 20 && end_offset - 20 - rec_offset >= 56, file,
                      ": zip64 end record offset ", rec_offset, " is out of range");
      unsigned char rec[56];
      file_.read_at(rec_offset, rec, 56);
      CTC_CHECK_INPUT(le(rec, 4) == kZip64EndSig, file, ": zip64 locator points at offset ", rec_offset,
                      ", which holds no zip64 end record");
      count = le(rec + 32, 8);
      cd_size = le(rec + 40, 8);
      cd_offset = le(rec + 48, 8);
      end_offset = rec_offset;
    }
  }
  CTC_CHECK_INPUT(cd_offset <= end_offset && cd_size <= end_offset - cd_offset, file, ": central directory [",
                  cd_offset, ", +", cd_size, ") runs past its end record at ", end_offset);
  // Each central header is at least 46 bytes.
  CTC_CHECK_INPUT(count <= cd_size / 46, file, ": central directory of ", cd_size, " bytes cannot hold ", count,
                  " entries");

  std::string cd = file_.read_string_at(cd_offset, cd_size);
  const auto* c = reinterpret_cast<const unsigned char*>(cd.data());
  std::uint64_t pos = 0;
  std::set<std::string> names;
  entries_.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    CTC_CHECK_INPUT(cd_size - pos >= 46 && le(c + pos, 4) == kCentralHeaderSig, file, ": central directory entry ",
                    i, " at offset ", cd_offset + pos, " is damaged (no file header signature)");
    const unsigned char* h = c + pos;
    ZipEntry e;
    std::uint16_t flags = static_cast<std::uint16_t>(le(h + 8, 2));
    e.method = static_cast<std::uint16_t>(le(h + 10, 2));
    e.crc32 = static_cast<std::uint32_t>(le(h + 16, 4));
    e.compressed_size = le(h + 20, 4);
    e.size = le(h + 24, 4);
    std::uint64_t name_len = le(h + 28, 2), extra_len = le(h + 30, 2), comment_len = le(h + 32, 2);
    e.local_header_offset = le(h + 42, 4);
    CTC_CHECK_INPUT(cd_size - pos - 46 >= name_len + extra_len + comment_len, file, ": central directory entry ",
                    i, " runs past the directory's end");
    e.name.assign(reinterpret_cast<const char*>(h + 46), static_cast<std::size_t>(name_len));
    CTC_CHECK_INPUT((flags & 1) == 0, file, ": entry '", e.name, "' is encrypted");
    // zip64 extra field (id 1): the 64-bit values for the fields set to 0xffffffff, in this order.
    const unsigned char* x = h + 46 + name_len;
    std::uint64_t xpos = 0;
    while (extra_len - xpos >= 4) {
      std::uint64_t id = le(x + xpos, 2), len = le(x + xpos + 2, 2);
      CTC_CHECK_INPUT(len <= extra_len - xpos - 4, file, ": entry '", e.name, "' has a damaged extra field");
      if (id == 1) {
        const unsigned char* z = x + xpos + 4;
        std::uint64_t zpos = 0;
        for (std::uint64_t* field : {&e.size, &e.compressed_size, &e.local_header_offset}) {
          if (*field != 0xffffffffu) continue;
          CTC_CHECK_INPUT(len - zpos >= 8, file, ": entry '", e.name, "' has a short zip64 extra field");
          *field = le(z + zpos, 8);
          zpos += 8;
        }
      }
      xpos += 4 + len;
    }
    CTC_CHECK_INPUT(names.insert(e.name).second, file, ": entry '", e.name, "' appears twice");
    CTC_CHECK_INPUT(e.local_header_offset < cd_offset, file, ": entry '", e.name, "' has a local header offset ",
                    e.local_header_offset, " past the entries' region (", cd_offset, " bytes)");
    entries_.push_back(std::move(e));
    pos += 46 + name_len + extra_len + comment_len;
  }
}

const ZipEntry* ZipReader::find(const std::string& entry_name) const {
  for (const auto& e : entries_) {
    if (e.name == entry_name) return &e;
  }
  return nullptr;
}

std::uint64_t ZipReader::data_offset(const ZipEntry& e) const {
  const std::string& file = file_.name();
  CTC_CHECK_INPUT(e.method == 0, file, ": entry '", e.name, "' is compressed (method ", e.method,
                  e.method == 8 ? ", deflate" : "", "); torch.save writes entries stored, and only stored entries ",
                  "are read: re-save the file with torch.save");
  CTC_CHECK_INPUT(e.compressed_size == e.size, file, ": stored entry '", e.name, "' has compressed size ",
                  e.compressed_size, " and size ", e.size);
  unsigned char h[30];
  CTC_CHECK_INPUT(e.local_header_offset <= file_.size() && file_.size() - e.local_header_offset >= 30, file,
                  ": entry '", e.name, "' has its local header at ", e.local_header_offset, ", past the end");
  file_.read_at(e.local_header_offset, h, 30);
  CTC_CHECK_INPUT(le(h, 4) == kLocalHeaderSig, file, ": entry '", e.name, "' has no local header at offset ",
                  e.local_header_offset);
  std::uint64_t name_len = le(h + 26, 2), extra_len = le(h + 28, 2);
  std::uint64_t start = e.local_header_offset + 30 + name_len + extra_len;
  CTC_CHECK_INPUT(start <= file_.size() && e.size <= file_.size() - start, file, ": entry '", e.name, "' of ",
                  e.size, " bytes at offset ", start, " runs past the end of the file (", file_.size(), " bytes)");
  CTC_CHECK_INPUT(file_.read_string_at(e.local_header_offset + 30, name_len) == e.name, file, ": entry '", e.name,
                  "' has a different name in its local header");
  return start;
}

void ZipReader::read(const ZipEntry& e, void* dst) const {
  std::uint64_t start = data_offset(e);
  file_.read_at(start, dst, e.size);
  std::uint32_t crc = crc32_update(0, dst, static_cast<std::size_t>(e.size));
  CTC_CHECK_INPUT(crc == e.crc32, file_.name(), ": entry '", e.name, "' fails its CRC-32 check (the file is ",
                  "corrupt)");
}

std::string ZipReader::read_string(const ZipEntry& e) const {
  data_offset(e);  // checks before allocating
  std::string s(static_cast<std::size_t>(e.size), '\0');
  read(e, s.data());
  return s;
}

}  // namespace ctcscope
