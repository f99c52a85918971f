// safetensors (huggingface/safetensors): 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {..}},
// then the tensors' bytes. Everything in the header is checked against the
// real file size before a byte of data is read.
#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include "base/atomic_file.h"
#include "formats/half_float.h"
#include "base/input_file.h"
#include "base/json.h"
#include "base/json_writer.h"
#include "formats/state_dict.h"

namespace ctcscope {
namespace {

// The Python library refuses headers above 100 MB (MAX_HEADER_SIZE).
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

struct FileDType {
  const char* name;
  std::size_t itemsize;
  DType loaded_as;
};

constexpr FileDType kFileDTypes[] = {
    {"F32", 4, DType::f32}, {"F64", 8, DType::f64}, {"F16", 2, DType::f32}, {"BF16", 2, DType::f32},
    {"I64", 8, DType::i64}, {"I32", 4, DType::i32}, {"U8", 1, DType::u8},   {"BOOL", 1, DType::u8},
};

const FileDType* find_file_dtype(const std::string& name) {
  for (const auto& d : kFileDTypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

const char* file_dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32: return "F32";
    case DType::f64: return "F64";
    case DType::f16: return "F16";
    case DType::bf16: return "BF16";
    case DType::i32: return "I32";
    case DType::i64: return "I64";
    case DType::u8: return "U8";
  }
  return "?";
}

struct HeaderEntry {
  std::string name;
  const FileDType* dtype;
  Shape shape;
  std::uint64_t begin;
  std::uint64_t end;
};

std::uint64_t read_u64_le(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

HeaderEntry parse_entry(const std::string& file, const std::string& name, const JsonValue& v) {
  auto bad = [&](const auto&... parts) { CTC_FAIL(file, ": tensor '", name, "' ", parts...); };
  if (!v.is_object()) bad("is ", JsonValue::kind_name(v.kind()), " in the header, expected an object");
  for (const auto& [key, _] : v.as_object()) {
    if (key != "dtype" && key != "shape" && key != "data_offsets") bad("has an unknown field '", key, "'");
  }
  const JsonValue* dtype = v.find("dtype");
  const JsonValue* shape = v.find("shape");
  const JsonValue* offsets = v.find("data_offsets");
  if (!dtype || !shape || !offsets) bad("lacks one of dtype, shape, data_offsets");
  if (!dtype->is_string()) bad("has a dtype that is not a string");
  HeaderEntry e{name, find_file_dtype(dtype->as_string()), {}, 0, 0};
  if (!e.dtype) {
    bad("has dtype '", dtype->as_string(), "', expected one of F32, F64, F16, BF16, I64, I32, U8, BOOL");
  }
  if (!shape->is_array()) bad("has a shape that is not an array");
  std::uint64_t numel = 1;
  for (const auto& d : shape->as_array()) {
    if (!d.is_integer() || d.as_integer() < 0) bad("has a shape entry that is not a non-negative integer");
    auto dim = static_cast<std::uint64_t>(d.as_integer());
    if (dim != 0 && numel > std::numeric_limits<std::uint64_t>::max() / dim) bad("has a shape too large");
    numel *= dim;
    e.shape.push_back(d.as_integer());
  }
  if (!offsets->is_array() || offsets->as_array().size() != 2 || !offsets->as_array()[0].is_integer() ||
      !offsets->as_array()[1].is_integer() || offsets->as_array()[0].as_integer() < 0 ||
      offsets->as_array()[1].as_integer() < 0) {
    bad("has data_offsets that are not two non-negative integers");
  }
  e.begin = static_cast<std::uint64_t>(offsets->as_array()[0].as_integer());
  e.end = static_cast<std::uint64_t>(offsets->as_array()[1].as_integer());
  if (e.end < e.begin) bad("has data_offsets [", e.begin, ",", e.end, "] that end before they begin");
  if (numel > std::numeric_limits<std::uint64_t>::max() / e.dtype->itemsize ||
      numel * e.dtype->itemsize != e.end - e.begin) {
    bad("of dtype ", e.dtype->name, " and shape ", shape_str(e.shape), " needs ", numel, " x ",
        e.dtype->itemsize, " bytes, data_offsets [", e.begin, ",", e.end, "] hold ", e.end - e.begin);
  }
  return e;
}

Tensor load_entry(const InputFile& in, std::uint64_t data_start, const HeaderEntry& e) {
  Tensor t = Tensor::empty(e.shape, e.dtype->loaded_as);
  std::uint64_t bytes = e.end - e.begin;
  const std::string kind = e.dtype->name;
  if (kind == "F16" || kind == "BF16") {
    std::vector<std::uint16_t> raw(static_cast<std::size_t>(t.numel()));
    in.read_at(data_start + e.begin, raw.data(), bytes);
    float* out = t.data<float>();
    for (std::size_t i = 0; i < raw.size(); ++i) {
      out[i] = kind == "F16" ? f16_to_f32(raw[i]) : bf16_to_f32(raw[i]);
    }
  } else {
    in.read_at(data_start + e.begin, t.raw_data(), bytes);
  }
  return t;
}

}  // namespace

SafetensorsContents read_safetensors(const std::string& path) {
  InputFile in(path);
  const std::string& file = in.name();
  CTC_CHECK_INPUT(in.size() >= 8, file, ": ", in.size(), " bytes is too short for a safetensors file (needs an ",
                  "8-byte header length)");
  unsigned char len_bytes[8];
  in.read_at(0, len_bytes, 8);
  std::uint64_t header_len = read_u64_le(len_bytes);
  CTC_CHECK_INPUT(header_len <= kMaxHeaderBytes && header_len <= in.size() - 8, file, ": header length ",
                  header_len, " exceeds ", header_len > kMaxHeaderBytes ? "the 100 MB limit" : "the file", " (",
                  in.size(), " bytes): not a safetensors file, or truncated");
  std::string header = in.read_string_at(8, header_len);
  JsonValue root = json_parse(header, file + ": header");
  CTC_CHECK_INPUT(root.is_object(), file, ": header is ", JsonValue::kind_name(root.kind()),
                  ", expected a JSON object");

  std::uint64_t data_start = 8 + header_len;
  std::uint64_t data_bytes = in.size() - data_start;
  SafetensorsContents out;
  std::vector<HeaderEntry> entries;
  for (const auto& [name, value] : root.as_object()) {
    if (name == "__metadata__") {
      CTC_CHECK_INPUT(value.is_object(), file, ": __metadata__ is ", JsonValue::kind_name(value.kind()),
                      ", expected an object of strings");
      for (const auto& [k, v] : value.as_object()) {
        CTC_CHECK_INPUT(v.is_string(), file, ": __metadata__ '", k, "' is ", JsonValue::kind_name(v.kind()),
                        ", expected a string");
        out.metadata[k] = v.as_string();
      }
      continue;
    }
    HeaderEntry e = parse_entry(file, name, value);
    CTC_CHECK_INPUT(e.end <= data_bytes, file, ": tensor '", name, "' has data_offsets [", e.begin, ",", e.end,
                    "] beyond the file's ", in.size(), " bytes (", data_bytes, " bytes of data after the header)");
    entries.push_back(std::move(e));
  }

  // File order is the order of the data; the JSON keys are sorted by name.
  std::stable_sort(entries.begin(), entries.end(), [](const HeaderEntry& a, const HeaderEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::uint64_t expected_begin = 0;
  for (const auto& e : entries) {
    CTC_CHECK_INPUT(e.begin == expected_begin, file, ": tensor '", e.name, "' has data_offsets [", e.begin, ",",
                    e.end, "], expected it to begin at ", expected_begin,
                    e.begin < expected_begin ? " (it overlaps the tensor before it)" : " (a gap before it)");
    expected_begin = e.end;
  }
  CTC_CHECK_INPUT(expected_begin == data_bytes, file, ": the tensors hold ", expected_begin, " bytes of data, the ",
                  "file has ", data_bytes, " after the header");

  out.tensors.reserve(entries.size());
  for (const auto& e : entries) out.tensors.push_back({e.name, load_entry(in, data_start, e)});
  return out;
}

void write_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata) {
  std::set<std::string> names;
  JsonWriter w(JsonWriter::Layout::compact);  // as the Python library writes it
  w.begin_object();
  if (!metadata.empty()) {
    w.key("__metadata__").begin_object();
    for (const auto& [k, v] : metadata) w.key(k).string(v);
    w.end_object();
  }
  std::uint64_t offset = 0;
  for (const auto& entry : tensors) {
    const Tensor& t = entry.tensor;
    CTC_CHECK(t.defined(), path, ": tensor '", entry.name, "' is undefined");
    CTC_CHECK(t.device() == Device::cpu, path, ": tensor '", entry.name, "' is on ", device_name(t.device()),
              ", expected cpu");
    CTC_CHECK(entry.name != "__metadata__" && names.insert(entry.name).second, path, ": tensor name '",
              entry.name, "' is ", entry.name == "__metadata__" ? "reserved" : "given twice");
    w.key(entry.name).begin_object();
    w.key("dtype").string(file_dtype_name(t.dtype()));
    w.key("shape").begin_array();
    for (std::int64_t d : t.shape()) w.integer(d);
    w.end_array();
    w.key("data_offsets").begin_array().integer(offset).integer(offset + t.nbytes()).end_array();
    w.end_object();
    offset += t.nbytes();
  }
  w.end_object();
  std::string header = w.str();
  // As the Python library: pad with spaces so the data starts 8-byte aligned.
  header.append((8 - header.size() % 8) % 8, ' ');

  unsigned char len_bytes[8];
  std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<unsigned char>(n >> (8 * i));
  AtomicFile out(path);
  out.write(len_bytes, 8);
  out.write(header.data(), header.size());
  for (const auto& entry : tensors) out.write(entry.tensor.raw_data(), entry.tensor.nbytes());
  out.commit();
}

}  // namespace ctcscope
