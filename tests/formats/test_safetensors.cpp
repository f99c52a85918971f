// safetensors: round trips (order, dtypes, metadata, alignment), f16/bf16
// widening incl. subnormals, inf and NaN, and corrupt, truncated or hostile
// files that must give an error naming the file, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "base/error.h"
#include "formats/half_float.h"
#include "formats/state_dict.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  fs::path dir = ::ctcscope::test::scratch_root() / "ctc_test_safetensors";
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A file from a header and raw data, as a hostile or broken writer might.
std::string make_file(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * i));
  return out + header + data;
}

std::string error_of(const std::string& path) {
  try {
    read_safetensors(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Whether a temporary file of an atomic write of `path` is left beside it.
bool temp_file_beside(const std::string& path) {
  const fs::path p(path);
  for (const auto& e : fs::directory_iterator(p.parent_path())) {
    if (e.path().filename().string().rfind(p.filename().string() + ".tmp", 0) == 0) return true;
  }
  return false;
}

TEST(Safetensors, RoundTripKeepsOrderDTypesAndMetadata) {
  StateDict sd;
  sd.push_back({"zeta.weight", Tensor::from_vector(std::vector<float>{1.5f, -2.f, 3.25f, 0.f, 1e-30f, 7.f}, {2, 3})});
  sd.push_back({"alpha.bias", Tensor::from_vector(std::vector<double>{0.1, -1e300}, {2})});
  sd.push_back({"bn.num_batches_tracked", Tensor::from_vector(std::vector<std::int64_t>{123456789012345LL}, {})});
  Tensor i32 = Tensor::empty({3}, DType::i32);
  for (int i = 0; i < 3; ++i) i32.data<std::int32_t>()[i] = -7 * i;
  sd.push_back({"ids", i32});
  Tensor u8 = Tensor::empty({5}, DType::u8);
  for (int i = 0; i < 5; ++i) u8.data<std::uint8_t>()[i] = static_cast<std::uint8_t>(250 + i);
  sd.push_back({"mask", u8});
  sd.push_back({"empty", Tensor::empty({0, 4})});
  Metadata meta{{"arch", "resnet50"}, {"note", "quote \" and \\ and \xc3\xa9"}};

  std::string path = temp_path("round_trip.safetensors");
  write_safetensors(path, sd, meta);
  EXPECT_FALSE(temp_file_beside(path));
  std::string bytes = slurp(path);
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  EXPECT_EQ((8 + header_len) % 8, 0u);

  SafetensorsContents got = read_safetensors(path);
  EXPECT_EQ(got.metadata, meta);
  ASSERT_EQ(got.tensors.size(), sd.size());
  for (std::size_t i = 0; i < sd.size(); ++i) {
    SCOPED_TRACE(sd[i].name);
    EXPECT_EQ(got.tensors[i].name, sd[i].name);
    EXPECT_EQ(got.tensors[i].tensor.dtype(), sd[i].tensor.dtype());
    EXPECT_EQ(got.tensors[i].tensor.shape(), sd[i].tensor.shape());
    EXPECT_EQ(got.tensors[i].tensor.to_double_vector(), sd[i].tensor.to_double_vector());
  }
  EXPECT_EQ(read_state_dict(path).size(), sd.size());
}

TEST(Safetensors, WriterRefusesDuplicateNamesAndLeavesNoFile) {
  StateDict sd{{"a", Tensor::zeros({1})}, {"a", Tensor::zeros({1})}};
  std::string path = temp_path("dup_out.safetensors");
  EXPECT_THROW(write_safetensors(path, sd), Error);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(temp_file_beside(path));
}

TEST(Safetensors, AFolderIsRefusedAsAFolder) {
  const std::string dir = temp_path("a_folder.safetensors");
  fs::create_directories(dir);
  try {
    read_state_dict(dir);
    FAIL() << "a folder was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir + ": is a folder, not a file"), std::string::npos) << e.what();
  }
}

TEST(Safetensors, OrderFollowsDataOffsetsNotKeys) {
  std::string header = R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                       R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
  std::string path = temp_path("order.safetensors");
  float v[2] = {1.f, 2.f};
  spit(path, make_file(header, std::string(reinterpret_cast<char*>(v), 8)));
  auto got = read_safetensors(path).tensors;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].name, "b");
  EXPECT_EQ(got[1].name, "a");
  EXPECT_EQ(got[1].tensor.item(), 2.0);
  // Keys sorted in the JSON (as the Python library writes) with data in the other order.
  header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
           R"("b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  spit(path, make_file(header, std::string(reinterpret_cast<char*>(v), 8)));
  got = read_safetensors(path).tensors;
  EXPECT_EQ(got[0].name, "b");
  EXPECT_EQ(got[0].tensor.item(), 1.0);
}

TEST(HalfFloat, F16WidensExactly) {
  EXPECT_EQ(f16_to_f32(0x0000), 0.0f);
  EXPECT_TRUE(std::signbit(f16_to_f32(0x8000)));
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x3555), 0.333251953125f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(f16_to_f32(0x0400), std::ldexp(1.0f, -14));           // smallest normal
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));           // smallest subnormal
  EXPECT_EQ(f16_to_f32(0x03ff), std::ldexp(1023.0f, -24));        // largest subnormal
  EXPECT_EQ(f16_to_f32(0x8200), -std::ldexp(512.0f, -24));
  EXPECT_EQ(f16_to_f32(0x7c00), INFINITY);
  EXPECT_EQ(f16_to_f32(0xfc00), -INFINITY);
  EXPECT_TRUE(std::isnan(f16_to_f32(0x7e00)));
  EXPECT_TRUE(std::isnan(f16_to_f32(0x7c01)));
  // Every finite f16 against the formula (-1)^s * 2^(e-15) * (1 + m/1024).
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    std::uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0x1f) continue;
    double mag = e == 0 ? std::ldexp(static_cast<double>(m), -24) : std::ldexp(1.0 + m / 1024.0, static_cast<int>(e) - 15);
    double want = (h & 0x8000) ? -mag : mag;
    ASSERT_EQ(static_cast<double>(f16_to_f32(static_cast<std::uint16_t>(h))), want) << std::hex << h;
  }
}

TEST(HalfFloat, Bf16WidensExactly) {
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
  EXPECT_EQ(bf16_to_f32(0xc040), -3.0f);
  EXPECT_EQ(bf16_to_f32(0x0001), std::ldexp(1.0f, -133));  // subnormal
  EXPECT_EQ(bf16_to_f32(0x7f80), INFINITY);
  EXPECT_TRUE(std::isnan(bf16_to_f32(0x7fc0)));
  EXPECT_EQ(bf16_to_f32(0x7f7f), 3.3895313892515355e38f);
}

TEST(Safetensors, HalfDTypesArriveAsF32) {
  std::uint16_t raw[4] = {0x3c00, 0x0001, 0x7f80, 0xbf80};
  std::string header = R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},)"
                       R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},)"
                       R"("m":{"dtype":"BOOL","shape":[2],"data_offsets":[8,10]}})";
  std::string path = temp_path("half.safetensors");
  spit(path, make_file(header, std::string(reinterpret_cast<char*>(raw), 8) + std::string("\x01\x00", 2)));
  auto got = read_safetensors(path).tensors;
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].tensor.dtype(), DType::f32);
  EXPECT_EQ(got[0].tensor.data<float>()[0], 1.0f);
  EXPECT_EQ(got[0].tensor.data<float>()[1], std::ldexp(1.0f, -24));
  EXPECT_EQ(got[1].tensor.data<float>()[0], INFINITY);
  EXPECT_EQ(got[1].tensor.data<float>()[1], -1.0f);
  EXPECT_EQ(got[2].tensor.dtype(), DType::u8);
  EXPECT_EQ(got[2].tensor.to_double_vector(), (std::vector<double>{1, 0}));
}

struct BadCase {
  const char* what;
  std::string header;
  std::size_t data_bytes;
  const char* expect;
};

TEST(Safetensors, BadHeadersNameTheFileAndTheTensor) {
  const std::string w = R"({"fc.weight":{"dtype":"F32","shape":[2],"data_offsets":)";
  std::vector<BadCase> cases = {
      {"beyond", w + "[0,8]}}", 4, "tensor 'fc.weight' has data_offsets [0,8] beyond the file's"},
      {"span", w + "[0,12]}}", 12, "needs 2 x 4 bytes"},
      {"reversed", w + "[8,0]}}", 8, "end before they begin"},
      {"dtype", R"({"x":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})", 1, "has dtype 'F8'"},
      {"negative", R"({"x":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1, "non-negative"},
      {"gap", R"({"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})", 2, "a gap before it"},
      {"overlap", R"({"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"y":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})", 2, "overlaps"},
      {"trailing", R"({"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 3, "the file has 3 after the header"},
      {"duplicate", R"({"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})", 2, "duplicate key \"x\""},
      {"metadata", R"({"__metadata__":{"a":1}})", 0, "__metadata__ 'a' is a number"},
      {"not object", "[1,2]", 0, "header is an array"},
      {"bad json", "{\"x\":", 0, "invalid JSON"},
      {"huge shape", R"({"x":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8, "x"},
      {"extra field", R"({"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"exec":"rm"}})", 1, "unknown field 'exec'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::string path = temp_path("model.safetensors");
    spit(path, make_file(c.header, std::string(c.data_bytes, '\0')));
    std::string msg = error_of(path);
    EXPECT_EQ(msg.rfind("model.safetensors: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
  }
}

TEST(Safetensors, OversizedOrTruncatedHeaderLength) {
  std::string path = temp_path("model.safetensors");
  std::string bytes = make_file("{}", "");
  bytes[5] = 1;  // header length 2^40 + 2
  spit(path, bytes);
  std::string msg = error_of(path);
  EXPECT_NE(msg.find("model.safetensors: header length"), std::string::npos) << msg;
  EXPECT_NE(msg.find("100 MB"), std::string::npos) << msg;
  bytes = make_file("{}", "");
  bytes[0] = 100;
  spit(path, bytes);
  msg = error_of(path);
  EXPECT_NE(msg.find("exceeds the file"), std::string::npos) << msg;
  spit(path, "abc");
  EXPECT_NE(error_of(path).find("too short"), std::string::npos);
  EXPECT_NE(error_of(temp_path("missing.safetensors")).find("missing.safetensors: cannot open"), std::string::npos);
}

TEST(Safetensors, EveryTruncationAndByteFlipIsAnErrorOrALoad) {
  StateDict sd{{"w", Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2})},
               {"n", Tensor::from_vector(std::vector<std::int64_t>{5}, {})}};
  std::string path = temp_path("fuzz_src.safetensors");
  write_safetensors(path, sd, {{"k", "v"}});
  std::string good = slurp(path);
  std::string bad_path = temp_path("fuzz.safetensors");
  for (std::size_t n = 0; n < good.size(); ++n) {
    spit(bad_path, good.substr(0, n));
    EXPECT_NE(error_of(bad_path).find("fuzz.safetensors: "), std::string::npos) << "cut at " << n;
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
    spit(bad_path, flipped);
    try {
      read_safetensors(bad_path);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("fuzz.safetensors: "), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace ctcscope
