// torch.save files written by PyTorch itself (tools/fixtures/make_pth_fixtures.py):
// zip and legacy formats against the expected values, views with storage
// offsets and strides, hostile pickles that name os.system or eval (refused,
// nothing runs), deflated archives, every truncation and byte flip (errors,
// never crashes), and torchvision's file-name hash prefix.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "base/error.h"
#include "base/json.h"
#include "base/sha256.h"
#include "formats/state_dict.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) { return std::string(CTC_SOURCE_DIR) + "/tests/formats/fixtures/" + name; }

std::string temp_path(const std::string& name) {
  fs::path dir = ::ctcscope::test::scratch_root() / "ctc_test_pth";
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

std::string error_of(const std::string& path) {
  try {
    read_state_dict(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_matches_torch(const StateDict& got) {
  JsonValue expected = json_parse(slurp(fixture("small_expected.json")), "small_expected.json");
  const auto& want = expected.as_object();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(want[i].first);
    EXPECT_EQ(got[i].name, want[i].first);
    const JsonValue& w = want[i].second;
    EXPECT_EQ(dtype_name(got[i].tensor.dtype()), w.find("dtype")->as_string());
    Shape shape;
    for (const auto& d : w.find("shape")->as_array()) shape.push_back(d.as_integer());
    EXPECT_EQ(got[i].tensor.shape(), shape);
    std::vector<double> values = got[i].tensor.to_double_vector();
    const auto& wv = w.find("values")->as_array();
    ASSERT_EQ(values.size(), wv.size());
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (wv[k].is_integer() && got[i].tensor.dtype() == DType::i64) {
        EXPECT_EQ(static_cast<std::int64_t>(got[i].tensor.data<std::int64_t>()[k]), wv[k].as_integer()) << k;
      } else {
        EXPECT_EQ(values[k], wv[k].as_number()) << k;  // exact: the same bits as torch
      }
    }
  }
}

TEST(PthReader, ZipArchiveMatchesTorch) { expect_matches_torch(read_pth(fixture("small_zip.pth"))); }
TEST(PthReader, LegacyStreamMatchesTorch) { expect_matches_torch(read_pth(fixture("small_legacy.pth"))); }
TEST(PthReader, SafetensorsFixtureMatchesTorch) { expect_matches_torch(read_state_dict(fixture("small.safetensors"))); }
TEST(PthReader, SniffingPicksTheFormat) {
  expect_matches_torch(read_state_dict(fixture("small_zip.pth")));
  expect_matches_torch(read_state_dict(fixture("small_legacy.pth")));
  std::string path = temp_path("notes.txt");
  spit(path, "hello world, not weights");
  EXPECT_NE(error_of(path).find("notes.txt: not a weight file"), std::string::npos) << error_of(path);
}

TEST(PthReader, ViewsAndScalars) {
  StateDict sd = read_pth(fixture("small_zip.pth"));
  auto find = [&](const std::string& n) {
    for (auto& e : sd) {
      if (e.name == n) return e.tensor;
    }
    return Tensor();
  };
  Tensor off = find("view.offset");
  ASSERT_TRUE(off.defined());
  EXPECT_EQ(off.shape(), (Shape{3, 4}));
  EXPECT_EQ(off.item(0), 5.0 / 8);
  Tensor tr = find("view.transposed");
  EXPECT_EQ(tr.shape(), (Shape{4, 3}));
  EXPECT_EQ(tr.item(1), 4.0 / 8);  // [0][1] of the transpose is base[4]
  Tensor nbt = find("1.num_batches_tracked");
  ASSERT_TRUE(nbt.defined());
  EXPECT_EQ(nbt.dtype(), DType::i64);
  EXPECT_EQ(nbt.dim(), 0);
  EXPECT_EQ(nbt.item(), 1.0);
}

TEST(PthReader, RefusesOsSystemAndEvalAndRunsNothing) {
  const std::string marker = "/tmp/ctcscope_pwned_marker";
  std::remove(marker.c_str());
  for (const char* name : {"evil_system.pth", "evil_eval.pth"}) {
    std::string msg = error_of(fixture(name));
    SCOPED_TRACE(msg);
    EXPECT_EQ(msg.rfind(std::string(name) + ": refuses global '", 0), 0u);
    EXPECT_NE(msg.find("only state_dict contents are allowed"), std::string::npos);
  }
  EXPECT_NE(error_of(fixture("evil_system.pth")).find("'posix.system'"), std::string::npos);
  // Protocol 2 names builtins as Python 2 did.
  EXPECT_NE(error_of(fixture("evil_eval.pth")).find("'__builtin__.eval'"), std::string::npos);
  EXPECT_FALSE(fs::exists(marker));
}

TEST(PthReader, RefusesDeflatedEntries) {
  std::string msg = error_of(fixture("deflated.pth"));
  EXPECT_NE(msg.find("deflated.pth: entry 'small_zip/data.pkl' is compressed (method 8, deflate)"), std::string::npos) << msg;
}

TEST(PthReader, FlippedByteInAZipIsAnError) {
  std::string good = slurp(fixture("small_zip.pth"));
  std::string path = temp_path("flipped.pth");
  // In data.pkl, in the central directory, in the zip64 end record's directory offset.
  for (std::size_t at : {std::size_t{100}, good.find("PK\x01\x02") + 1, good.find("PK\x06\x06") + 48}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    spit(path, bad);
    std::string msg = error_of(path);
    EXPECT_EQ(msg.rfind("flipped.pth: ", 0), 0u) << "byte " << at << ": " << msg;
  }
  std::string bad = good;
  std::size_t data0 = good.find("small_zip/data/0");
  bad[data0 + 200] = static_cast<char>(bad[data0 + 200] ^ 1);
  spit(path, bad);
  EXPECT_NE(error_of(path).find("CRC-32"), std::string::npos) << error_of(path);
}

// Cuts and single-byte flips (every `stride` bytes, and every byte of the
// last 200, where the zip directory lives) either load or throw an Error that
// names the file; none crashes (run under ASan to see the memory side too).
bool fuzz_position(std::size_t i, std::size_t size, std::size_t stride) { return i % stride == 0 || i + 200 >= size; }

void fuzz(const std::string& fixture_name, bool flips, std::size_t stride) {
  std::string good = slurp(fixture(fixture_name));
  std::string path = temp_path("fuzz_" + fixture_name);
  std::string tag = "fuzz_" + fixture_name + ": ";
  for (std::size_t n = 0; n < good.size(); ++n) {
    if (!fuzz_position(n, good.size(), stride)) continue;
    spit(path, good.substr(0, n));
    std::string msg = error_of(path);
    ASSERT_EQ(msg.rfind(tag, 0), 0u) << "cut at " << n << ": " << msg;
  }
  if (!flips) return;
  for (std::size_t i = 0; i < good.size(); ++i) {
    if (!fuzz_position(i, good.size(), stride)) continue;
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0xff);
    spit(path, bad);
    try {
      read_state_dict(path);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("fuzz_"), std::string::npos) << e.what();
    }
  }
}

TEST(PthReader, TruncatedOrFlippedZipNeverCrashes) { fuzz("small_zip.pth", true, 7); }
TEST(PthReader, TruncatedOrFlippedLegacyNeverCrashes) { fuzz("small_legacy.pth", true, 5); }

TEST(PthReader, HashPrefixFromTheFileName) {
  EXPECT_EQ(torchvision_hash_prefix("/x/resnet50-0676ba61.pth"), "0676ba61");
  EXPECT_EQ(torchvision_hash_prefix("efficientnet_b4-23ab8bcd.pth"), "23ab8bcd");
  EXPECT_EQ(torchvision_hash_prefix("my-model-11ad3fa6.pth"), "11ad3fa6");
  EXPECT_EQ(torchvision_hash_prefix("resnet50.pth"), "");
  EXPECT_EQ(torchvision_hash_prefix("resnet50-abc.pth"), "");
  EXPECT_EQ(torchvision_hash_prefix("resnet50-0676BA61.pth"), "");
}

TEST(PthReader, HashPrefixIsChecked) {
  std::string bytes = slurp(fixture("small_zip.pth"));
  std::string digest = sha256_hex(bytes);
  std::string good = temp_path("small-" + digest.substr(0, 10) + ".pth");
  spit(good, bytes);
  expect_matches_torch(read_pth(good));
  std::string wrong_prefix = digest[0] == '0' ? "10000000" : "00000000";
  std::string bad = temp_path("resnet50-" + wrong_prefix + ".pth");
  spit(bad, bytes);
  std::string msg;
  try {
    read_pth(bad);
  } catch (const Error& e) {
    msg = e.what();
  }
  EXPECT_EQ(msg, "resnet50-" + wrong_prefix + ".pth: sha256 begins " + digest.substr(0, 8) + "..., the file name says " +
                     wrong_prefix + ": the download is corrupt");
}

}  // namespace
}  // namespace ctcscope
