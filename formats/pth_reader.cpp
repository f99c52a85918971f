// torch.save files of a state_dict. The zip archive (PyTorch >= 1.6) holds
// <archive>/data.pkl, whose persistent ids name storages stored as
// <archive>/data/<key>; the legacy stream (torch/serialization.py,
// _legacy_load) is: magic number, protocol version, sys info, the state_dict
// pickle, the list of storage keys, then per key an 8-byte element count and
// the storage's bytes. Tensors are (storage, offset, size, stride) views,
// materialised here into contiguous tensors once every storage is read.
#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "formats/half_float.h"
#include "base/input_file.h"
#include "formats/state_dict.h"
#include "formats/unpickler.h"
#include "formats/zip_reader.h"

namespace ctcscope {
namespace {

using K = PickleValue::Kind;

struct StorageType {
  const char* global;
  DType file_dtype;
  std::size_t itemsize;
};

constexpr StorageType kStorageTypes[] = {
    {"torch.FloatStorage", DType::f32, 4},   {"torch.DoubleStorage", DType::f64, 8},
    {"torch.HalfStorage", DType::f16, 2},    {"torch.BFloat16Storage", DType::bf16, 2},
    {"torch.LongStorage", DType::i64, 8},    {"torch.IntStorage", DType::i32, 4},
    {"torch.ByteStorage", DType::u8, 1},     {"torch.BoolStorage", DType::u8, 1},
};

const StorageType* find_storage_type(const std::string& global) {
  for (const auto& s : kStorageTypes) {
    if (global == s.global) return &s;
  }
  return nullptr;
}

struct StorageRecord {
  std::string key;
  const StorageType* type = nullptr;
  std::uint64_t numel = 0;       // as the persistent id says
  std::vector<unsigned char> bytes;
  bool loaded = false;
};

// What a persistent id stands for: a storage, or (legacy) a view of one.
struct StorageRef {
  std::shared_ptr<StorageRecord> record;
  std::uint64_t element_offset = 0;
};

struct TensorRecord {
  StorageRef storage;
  std::int64_t offset = 0;
  Shape size;
  std::vector<std::int64_t> stride;
};

class PthHooks : public UnpicklerHooks {
 public:
  PthHooks(std::string file, std::uint64_t file_size, bool legacy)
      : file_(std::move(file)), file_size_(file_size), legacy_(legacy) {}

  std::map<std::string, std::shared_ptr<StorageRecord>> storages;

  bool allow_global(const std::string& g) override {
    static const std::set<std::string> allowed = {
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter"};
    return allowed.count(g) > 0 || find_storage_type(g) != nullptr;
  }

  PickleRef call(Unpickler& u, PickleRef callable, PickleRef args) override {
    const std::string& f = callable->text;
    const auto& a = args->items;
    if (f == "collections.OrderedDict") {
      PickleRef d = u.make(K::dict);
      if (a.empty()) return d;
      CTC_CHECK_INPUT(a.size() == 1 && (a[0]->kind == K::list || a[0]->kind == K::tuple), file_,
                      ": OrderedDict(...) with unexpected arguments");
      for (PickleRef pair : a[0]->items) {
        CTC_CHECK_INPUT(pair->kind == K::tuple && pair->items.size() == 2, file_, ": OrderedDict item is not a pair");
        d->entries.emplace_back(pair->items[0], pair->items[1]);
      }
      return d;
    }
    if (f == "torch._utils._rebuild_tensor_v2" || f == "torch._utils._rebuild_tensor") {
      // (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
      CTC_CHECK_INPUT(a.size() >= 4 && a.size() <= 7, file_, ": ", f, " with ", a.size(), " arguments, expected 4 to 7");
      CTC_CHECK_INPUT(a[0]->kind == K::object && a[0]->text == "storage", file_, ": ", f, " gets ",
                      PickleValue::kind_name(a[0]->kind), ", expected a storage");
      auto t = std::make_shared<TensorRecord>();
      t->storage = *std::static_pointer_cast<StorageRef>(a[0]->payload);
      t->offset = int_of(a[1], "storage_offset");
      t->size = ints_of(a[2], "size");
      t->stride = ints_of(a[3], "stride");
      PickleRef v = u.make(K::object);
      v->text = "tensor";
      v->payload = t;
      return v;
    }
    if (f == "torch._utils._rebuild_parameter") {
      CTC_CHECK_INPUT(!a.empty() && a[0]->kind == K::object && a[0]->text == "tensor", file_,
                      ": _rebuild_parameter without a tensor");
      return a[0];
    }
    CTC_FAIL(file_, ": refuses to call '", f, "': only tensors and OrderedDicts are rebuilt");
  }

  PickleRef persistent_load(Unpickler& u, PickleRef pid) override {
    // zip: ('storage', type, key, location, numel); legacy adds view_metadata.
    std::size_t expected = legacy_ ? 6 : 5;
    CTC_CHECK_INPUT(pid->kind == K::tuple && pid->items.size() == expected && pid->items[0]->kind == K::string &&
                        pid->items[0]->text == "storage",
                    file_, ": persistent id is not a ('storage', ...) tuple of ", expected, " items");
    const auto& p = pid->items;
    CTC_CHECK_INPUT(p[1]->kind == K::global, file_, ": storage type is not a global");
    const StorageType* type = find_storage_type(p[1]->text);
    CTC_CHECK_INPUT(type != nullptr, file_, ": storage type '", p[1]->text, "' is not supported");
    CTC_CHECK_INPUT(p[2]->kind == K::string, file_, ": storage key is not a string");
    std::int64_t numel = int_of(p[4], "storage size");
    CTC_CHECK_INPUT(numel >= 0 && static_cast<std::uint64_t>(numel) <= file_size_ / type->itemsize, file_,
                    ": storage '", p[2]->text, "' claims ", numel, " elements of ", type->itemsize, " bytes, more than the file's ",
                    file_size_, " bytes");
    auto& rec = storages[p[2]->text];
    if (!rec) {
      rec = std::make_shared<StorageRecord>();
      rec->key = p[2]->text;
      rec->type = type;
      rec->numel = static_cast<std::uint64_t>(numel);
    }
    CTC_CHECK_INPUT(rec->type == type, file_, ": storage '", rec->key, "' is named as ", rec->type->global, " and as ",
                    type->global);
    auto ref = std::make_shared<StorageRef>();
    ref->record = rec;
    if (legacy_ && p[5]->kind != K::none) {
      // (view_key, offset, view_size): a slice of the root storage.
      CTC_CHECK_INPUT(p[5]->kind == K::tuple && p[5]->items.size() == 3, file_, ": storage view metadata is malformed");
      std::int64_t off = int_of(p[5]->items[1], "storage view offset");
      std::int64_t len = int_of(p[5]->items[2], "storage view size");
      CTC_CHECK_INPUT(off >= 0 && len >= 0 && static_cast<std::uint64_t>(off) + static_cast<std::uint64_t>(len) <= rec->numel,
                      file_, ": storage view [", off, ", +", len, ") outside storage '", rec->key, "' of ", rec->numel, " elements");
      ref->element_offset = static_cast<std::uint64_t>(off);
    }
    PickleRef v = u.make(K::object);
    v->text = "storage";
    v->payload = ref;
    return v;
  }

  void build(Unpickler&, PickleRef obj, PickleRef) override {
    // A state_dict's OrderedDict carries _metadata (module versions): ignored.
    CTC_CHECK_INPUT(obj->kind == K::dict, file_, ": refuses to set the state of ", PickleValue::kind_name(obj->kind),
                    " ('", obj->text, "'): only an OrderedDict's _metadata is accepted");
  }

  std::int64_t int_of(PickleRef v, const char* what) const {
    CTC_CHECK_INPUT(v->kind == K::integer, file_, ": ", what, " is ", PickleValue::kind_name(v->kind), ", expected an int");
    return v->integer;
  }

  Shape ints_of(PickleRef v, const char* what) const {
    CTC_CHECK_INPUT(v->kind == K::tuple, file_, ": tensor ", what, " is ", PickleValue::kind_name(v->kind), ", expected a tuple");
    Shape out;
    for (PickleRef i : v->items) out.push_back(int_of(i, what));
    return out;
  }

 private:
  std::string file_;
  std::uint64_t file_size_;
  bool legacy_;
};

// The contiguous tensor a (storage, offset, size, stride) view stands for.
Tensor materialise(const std::string& file, const std::string& name, const TensorRecord& t) {
  const StorageRecord& s = *t.storage.record;
  CTC_CHECK_INPUT(s.loaded, file, ": tensor '", name, "' uses storage '", s.key, "', which the file does not hold");
  CTC_CHECK_INPUT(t.size.size() == t.stride.size(), file, ": tensor '", name, "' has size ", shape_str(t.size),
                  " and stride ", shape_str(t.stride));
  CTC_CHECK_INPUT(t.offset >= 0, file, ": tensor '", name, "' has storage offset ", t.offset);
  std::uint64_t storage_numel = s.bytes.size() / s.type->itemsize;
  std::uint64_t numel = 1, last = static_cast<std::uint64_t>(t.offset) + t.storage.element_offset;
  for (std::size_t d = 0; d < t.size.size(); ++d) {
    CTC_CHECK_INPUT(t.size[d] >= 0 && t.stride[d] >= 0, file, ": tensor '", name, "' has size ", shape_str(t.size),
                    " and stride ", shape_str(t.stride), ": negative entries");
    auto n = static_cast<std::uint64_t>(t.size[d]);
    CTC_CHECK_INPUT(n == 0 || numel <= storage_numel / n + 1, file, ": tensor '", name, "' of size ", shape_str(t.size),
                    " is larger than its storage");
    numel *= n;
    if (n > 0) {
      auto st = static_cast<std::uint64_t>(t.stride[d]);
      CTC_CHECK_INPUT(st == 0 || n - 1 <= storage_numel / st, file, ": tensor '", name, "' stride ", shape_str(t.stride),
                      " reaches past its storage");
      last += (n - 1) * st;
    }
  }
  if (numel > 0) {
    CTC_CHECK_INPUT(last < storage_numel, file, ": tensor '", name, "' (offset ", t.offset, ", size ", shape_str(t.size),
                    ", stride ", shape_str(t.stride), ") reaches element ", last, " of storage '", s.key, "', which has ",
                    storage_numel);
  }
  DType out_dtype = (s.type->file_dtype == DType::f16 || s.type->file_dtype == DType::bf16) ? DType::f32 : s.type->file_dtype;
  Tensor out = Tensor::empty(t.size, out_dtype);
  auto* dst = static_cast<unsigned char*>(out.raw_data());
  const std::size_t item = s.type->itemsize;
  const std::size_t dims = t.size.size();
  std::vector<std::int64_t> index(dims, 0);
  std::uint64_t src = static_cast<std::uint64_t>(t.offset) + t.storage.element_offset;
  for (std::uint64_t i = 0; i < numel; ++i) {
    const unsigned char* from = s.bytes.data() + src * item;
    if (s.type->file_dtype == DType::f16 || s.type->file_dtype == DType::bf16) {
      std::uint16_t h;
      std::memcpy(&h, from, 2);
      float f = s.type->file_dtype == DType::f16 ? f16_to_f32(h) : bf16_to_f32(h);
      std::memcpy(dst + i * 4, &f, 4);
    } else {
      std::memcpy(dst + i * item, from, item);
    }
    // Next index in row-major order; the source moves by the strides.
    for (std::size_t d = dims; d-- > 0;) {
      src += static_cast<std::uint64_t>(t.stride[d]);
      if (++index[d] < t.size[d]) break;
      src -= static_cast<std::uint64_t>(t.stride[d]) * static_cast<std::uint64_t>(t.size[d]);
      index[d] = 0;
    }
  }
  return out;
}

StateDict collect(const std::string& file, PickleRef root) {
  CTC_CHECK_INPUT(root->kind == K::dict, file, ": the pickle holds ", PickleValue::kind_name(root->kind),
                  ", expected a state_dict (an OrderedDict of tensors)");
  StateDict out;
  std::set<std::string> names;
  for (const auto& [key, value] : root->entries) {
    CTC_CHECK_INPUT(key->kind == K::string, file, ": state_dict key is ", PickleValue::kind_name(key->kind),
                    ", expected a str");
    CTC_CHECK_INPUT(value->kind == K::object && value->text == "tensor", file, ": '", key->text, "' is ",
                    PickleValue::kind_name(value->kind), ", expected a tensor (is this a whole checkpoint rather than a state_dict?)");
    CTC_CHECK_INPUT(names.insert(key->text).second, file, ": '", key->text, "' appears twice");
    out.push_back({key->text, materialise(file, key->text, *std::static_pointer_cast<TensorRecord>(value->payload))});
  }
  return out;
}

StateDict read_zip_pth(const std::string& path) {
  ZipReader zip(path);
  const std::string& file = zip.name();
  const ZipEntry* pkl = nullptr;
  for (const auto& e : zip.entries()) {
    auto slash = e.name.find('/');
    if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      CTC_CHECK_INPUT(pkl == nullptr, file, ": holds two pickles, '", pkl ? pkl->name : "", "' and '", e.name, "'");
      pkl = &e;
    }
  }
  CTC_CHECK_INPUT(pkl != nullptr, file, ": zip archive without <archive>/data.pkl: not a torch.save file");
  std::string prefix = pkl->name.substr(0, pkl->name.size() - std::string("data.pkl").size());
  if (const ZipEntry* order = zip.find(prefix + "byteorder")) {
    std::string bo = zip.read_string(*order);
    CTC_CHECK_INPUT(bo == "little", file, ": byte order '", bo, "', only little-endian files are read");
  }
  CTC_CHECK_INPUT(pkl->size <= zip.file_size(), file, ": data.pkl larger than the file");
  std::string pickle = zip.read_string(*pkl);
  PthHooks hooks(file, zip.file_size(), false);
  Unpickler u(pickle, file, hooks);
  PickleRef root = u.load();
  for (auto& [key, rec] : hooks.storages) {
    const ZipEntry* e = zip.find(prefix + "data/" + key);
    CTC_CHECK_INPUT(e != nullptr, file, ": storage '", key, "' has no entry ", prefix, "data/", key);
    CTC_CHECK_INPUT(e->size % rec->type->itemsize == 0 && e->size / rec->type->itemsize >= rec->numel, file,
                    ": entry '", e->name, "' holds ", e->size, " bytes, storage '", key, "' needs ", rec->numel, " x ",
                    rec->type->itemsize);
    CTC_CHECK_INPUT(e->size <= zip.file_size(), file, ": entry '", e->name, "' claims ", e->size, " bytes, more than the ",
                    "file's ", zip.file_size());
    rec->bytes.resize(static_cast<std::size_t>(e->size));
    zip.read(*e, rec->bytes.data());
    rec->loaded = true;
  }
  return collect(file, root);
}

class LegacyHeaderHooks : public UnpicklerHooks {
 public:
  explicit LegacyHeaderHooks(std::string file) : file_(std::move(file)) {}
  bool allow_global(const std::string&) override { return false; }
  PickleRef call(Unpickler&, PickleRef, PickleRef) override { CTC_FAIL(file_, ": unexpected call in the header"); }
  PickleRef persistent_load(Unpickler&, PickleRef) override { CTC_FAIL(file_, ": unexpected persistent id in the header"); }
  void build(Unpickler&, PickleRef, PickleRef) override { CTC_FAIL(file_, ": unexpected BUILD in the header"); }

 private:
  std::string file_;
};

StateDict read_legacy_pth(const std::string& path) {
  InputFile in(path);
  const std::string& file = in.name();
  std::string bytes = in.read_all();
  LegacyHeaderHooks header_hooks(file);
  Unpickler header(bytes, file, header_hooks);
  PickleRef magic = header.load();
  static const char kMagic[] = "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
  CTC_CHECK_INPUT(magic->kind == K::big_integer && magic->text == std::string(kMagic, 10), file,
                  ": does not begin with PyTorch's magic number 0x1950a86a20f9469cfc6c");
  PickleRef version = header.load();
  CTC_CHECK_INPUT(version->kind == K::integer && version->integer == 1001, file, ": legacy protocol version ",
                  version->kind == K::integer ? std::to_string(version->integer) : "(not an int)", ", expected 1001");
  PickleRef sys_info = header.load();
  CTC_CHECK_INPUT(sys_info->kind == K::dict, file, ": sys info is not a dict");
  for (const auto& [k, v] : sys_info->entries) {
    if (k->kind == K::string && k->text == "little_endian") {
      CTC_CHECK_INPUT(v->kind == K::boolean && v->boolean, file, ": written on a big-endian machine, not supported");
    }
  }

  PthHooks hooks(file, in.size(), true);
  Unpickler body(std::string_view(bytes).substr(header.position()), file, hooks);
  PickleRef root = body.load();
  PickleRef keys = body.load();
  CTC_CHECK_INPUT(keys->kind == K::list, file, ": storage key list is ", PickleValue::kind_name(keys->kind));
  std::uint64_t pos = header.position() + body.position();
  for (PickleRef key : keys->items) {
    CTC_CHECK_INPUT(key->kind == K::string, file, ": storage key is ", PickleValue::kind_name(key->kind), ", expected a str");
    auto it = hooks.storages.find(key->text);
    CTC_CHECK_INPUT(it != hooks.storages.end(), file, ": storage key '", key->text, "' is not used by the state_dict");
    StorageRecord& rec = *it->second;
    CTC_CHECK_INPUT(!rec.loaded, file, ": storage '", rec.key, "' is listed twice");
    CTC_CHECK_INPUT(bytes.size() - pos >= 8, file, ": storage '", rec.key, "' at byte ", pos, ": file ends (truncated)");
    std::uint64_t count = 0;
    for (int i = 7; i >= 0; --i) count = (count << 8) | static_cast<unsigned char>(bytes[pos + static_cast<std::uint64_t>(i)]);
    pos += 8;
    CTC_CHECK_INPUT(count == rec.numel, file, ": storage '", rec.key, "' has ", count, " elements in the file, its ",
                    "persistent id says ", rec.numel);
    std::uint64_t n = count * rec.type->itemsize;
    CTC_CHECK_INPUT(n <= bytes.size() - pos, file, ": storage '", rec.key, "' needs ", n, " bytes at byte ", pos,
                    ", the file has ", bytes.size() - pos, " left (truncated)");
    rec.bytes.assign(bytes.begin() + static_cast<std::ptrdiff_t>(pos), bytes.begin() + static_cast<std::ptrdiff_t>(pos + n));
    rec.loaded = true;
    pos += n;
  }
  CTC_CHECK_INPUT(pos == bytes.size(), file, ": ", bytes.size() - pos, " unexpected bytes after the last storage");
  return collect(file, root);
}

}  // namespace

StateDict read_pth(const std::string& path) {
  std::string head;
  {
    InputFile in(path);
    head = in.read_string_at(0, std::min<std::uint64_t>(in.size(), 4));
  }
  check_torchvision_hash_prefix(path);
  if (head == std::string("PK\x03\x04", 4)) return read_zip_pth(path);
  if (head.size() >= 2 && head[0] == '\x80' && head[1] == '\x02') return read_legacy_pth(path);
  CTC_FAIL(file_base_name(path), ": not a torch.save file: expected a zip archive (\"PK\\x03\\x04\") or a ",
           "legacy pickle stream (0x80 0x02)");
}

}  // namespace ctcscope
