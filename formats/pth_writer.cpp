// torch.save's zip format, written for a state_dict (what torch.load reads
// since PyTorch 1.6): an uncompressed zip of <archive>/data.pkl (a protocol-2
// pickle of an OrderedDict of name -> torch._utils._rebuild_tensor_v2(
// storage, 0, size, stride, False, OrderedDict()), each storage a persistent
// id ('storage', torch.<Type>Storage, key, 'cpu', numel)), one
// <archive>/data/<key> entry of raw little-endian bytes per tensor, and
// <archive>/version. Only the opcodes pth_reader's unpickler reads are used.
#include <limits>
#include <vector>

#include "base/atomic_file.h"
#include "base/error.h"
#include "formats/state_dict.h"
#include "formats/zip_reader.h"

namespace ctcscope {
namespace {

const char* storage_global(DType dtype) {
  switch (dtype) {
    case DType::f32: return "FloatStorage";
    case DType::f64: return "DoubleStorage";
    case DType::i64: return "LongStorage";
    case DType::i32: return "IntStorage";
    default: return nullptr;
  }
}

class Pickle {
 public:
  Pickle() { bytes_ += "\x80\x02"; }  // PROTO 2
  Pickle& op(char c) { return bytes_ += c, *this; }
  Pickle& global(const char* module, const char* name) {
    return bytes_ += std::string("c") + module + "\n" + name + "\n", *this;
  }
  Pickle& text(const std::string& s) {  // BINUNICODE
    bytes_ += 'X';
    le(s.size(), 4);
    return bytes_ += s, *this;
  }
  Pickle& integer(std::int64_t v) {  // BININT (signed 4 bytes)
    CTC_CHECK(v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max(),
              "pth writer: ", v, " does not fit a 4-byte pickle integer");
    bytes_ += 'J';
    le(static_cast<std::uint32_t>(static_cast<std::int32_t>(v)), 4);
    return *this;
  }
  Pickle& ordered_dict() { return global("collections", "OrderedDict").op(')').op('R'); }
  std::string& str() { return bytes_; }

 private:
  void le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_ += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  std::string bytes_;
};

// The state_dict pickle; storage keys are the entries' indices.
std::string state_dict_pickle(const StateDict& tensors, const std::string& path) {
  Pickle p;
  p.ordered_dict().op('(');  // MARK for SETITEMS
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const Tensor& t = tensors[k].tensor;
    const char* storage = storage_global(t.dtype());
    CTC_CHECK_INPUT(storage, path, ": tensor '", tensors[k].name, "' has a dtype the .pth writer does not write");
    p.text(tensors[k].name).global("torch._utils", "_rebuild_tensor_v2").op('(');
    p.op('(').text("storage").global("torch", storage).text(std::to_string(k)).text("cpu").integer(t.numel());
    p.op('t').op('Q');  // TUPLE, BINPERSID
    p.integer(0).op('(');
    for (std::int64_t d : t.shape()) p.integer(d);
    p.op('t').op('(');
    std::int64_t stride = 1;
    std::vector<std::int64_t> strides(t.shape().size());
    for (std::size_t d = strides.size(); d-- > 0;) {
      strides[d] = stride;
      stride *= t.shape()[d];
    }
    for (std::int64_t s : strides) p.integer(s);
    p.op('t').op('\x89').ordered_dict().op('t').op('R');  // NEWFALSE, hooks, TUPLE, REDUCE
  }
  return p.op('u').op('.').str();  // SETITEMS, STOP
}

// An uncompressed zip, entries in order; sizes must stay under 4 GiB (no zip64).
class ZipWriter {
 public:
  explicit ZipWriter(AtomicFile& file) : file_(file) {}
  void add(const std::string& name, const void* data, std::size_t size) {
    CTC_CHECK_INPUT(size < 0xffffffffu && offset_ < 0xffffffffu, file_.path(),
                    ": over 4 GiB, which this .pth writer does not write (no zip64)");
    const std::uint32_t crc = crc32_update(0, data, size);
    std::string local;
    header(local, 0x04034b50, name, crc, size, false);
    file_.write(local.data(), local.size());
    file_.write(data, size);
    header(central_, 0x02014b50, name, crc, size, true);
    offset_ += local.size() + size;
  }
  void finish() {
    std::string end;
    le(end, 0x06054b50, 4);
    le(end, 0, 4);  // disk numbers
    le(end, entries_, 2);
    le(end, entries_, 2);
    le(end, central_.size(), 4);
    le(end, offset_, 4);
    le(end, 0, 2);  // comment length
    file_.write(central_.data(), central_.size());
    file_.write(end.data(), end.size());
  }

 private:
  static void le(std::string& out, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  // A local header (central false) or a central directory record.
  void header(std::string& out, std::uint32_t signature, const std::string& name, std::uint32_t crc,
              std::size_t size, bool central) {
    le(out, signature, 4);
    if (central) le(out, 20, 2);  // made by: version 2.0
    le(out, 20, 2);               // needed to extract
    le(out, 0, 2);                // flags
    le(out, 0, 2);                // method: stored
    le(out, 0, 4);                // time, date
    le(out, crc, 4);
    le(out, size, 4);
    le(out, size, 4);
    le(out, name.size(), 2);
    le(out, 0, 2);  // extra length
    if (central) {
      le(out, 0, 2);  // comment length
      le(out, 0, 4);  // disk, internal attributes
      le(out, 0, 4);  // external attributes
      le(out, offset_, 4);
      ++entries_;
    }
    out += name;
  }

  AtomicFile& file_;
  std::string central_;
  std::uint64_t offset_ = 0, entries_ = 0;
};

}  // namespace

void write_pth(const std::string& path, const StateDict& tensors) {
  const std::string pickle = state_dict_pickle(tensors, path);
  AtomicFile file(path);
  ZipWriter zip(file);
  // torch.load takes the archive's folder name from its first entry.
  zip.add("archive/data.pkl", pickle.data(), pickle.size());
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const Tensor& t = tensors[k].tensor;  // contiguous, on the host
    zip.add("archive/data/" + std::to_string(k), t.raw_data(), t.nbytes());
  }
  zip.add("archive/version", "3\n", 2);
  zip.finish();
  file.commit();
}

}  // namespace ctcscope
