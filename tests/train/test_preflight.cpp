// Preflight checks: a full disk, a read-only file system and an unwritable
// folder are refused with the numbers; bad images are all listed at once.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include <unistd.h>

#include "data/png.h"
#include "data/tiff.h"
#include "tests/support/test_util.h"
#include "train/preflight.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;
// Expects fn to throw ctcscope::Error whose message holds every needle.
void expect_error_containing(const std::function<void()>& fn, const std::vector<std::string>& needles) {
  try {
    fn();
  } catch (const Error& e) {
    const std::string what = e.what();
    for (const auto& n : needles) EXPECT_NE(what.find(n), std::string::npos) << "'" << n << "' not in: " << what;
    return;
  }
  ADD_FAILURE() << "no error thrown";
}

fs::path scratch(const std::string& name) {
  const fs::path d = ::ctcscope::test::scratch_root() / "ctc_test_preflight" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(Preflight, OutputBytesCountBothCheckpointsAndTheirTemporaryCopies) {
  // 10 MiB state_dict, 8 MiB of it parameters: best 10, last 10 + 16, each twice, + 1 MiB.
  const std::int64_t mib = 1 << 20;
  EXPECT_EQ(training_output_bytes(10 * mib, 8 * mib), static_cast<std::uint64_t>((2 * 10 + 2 * 26 + 1) * mib));
}

TEST(Preflight, FullDiskIsRefusedWithBothNumbers) {
  const fs::path d = scratch("full");
  auto full = [](const std::string&) { return DiskSpace{3u << 20, false}; };
  expect_error_containing([&] { check_output_folder(d.string(), 100u << 20, full); },
                          {d.string(), "needs about 100.0 MiB", "has 3.0 MiB free"});
  EXPECT_NO_THROW(check_output_folder(d.string(), 2u << 20, full));
  EXPECT_TRUE(fs::is_empty(d));  // the probe file is removed
}

TEST(Preflight, ReadOnlyFileSystemIsRefused) {
  const fs::path d = scratch("ro");
  auto ro = [](const std::string&) { return DiskSpace{1ull << 40, true}; };
  expect_error_containing([&] { check_output_folder(d.string(), 1, ro); }, {d.string(), "read-only file system"});
}

TEST(Preflight, RealUnwritableFolderIsRefusedWithTheRealStatvfs) {
  // No file can be created in /proc/self, not even by root.
  if (!fs::exists("/proc/self")) GTEST_SKIP() << "no /proc";
  expect_error_containing([&] { check_output_folder("/proc/self", 1); }, {"/proc/self"});
}

TEST(Preflight, UnwritableFolderIsRefused) {
  // A folder that is not one (a file): the probe write fails even for root,
  // for whom chmod 0555 would not stop a write.
  const fs::path d = scratch("file");
  std::ofstream(d / "plain") << "x";
  const std::string not_a_dir = (d / "plain").string();
  auto roomy = [](const std::string&) { return DiskSpace{1ull << 40, false}; };
  expect_error_containing([&] { check_output_folder(not_a_dir, 1, roomy); }, {not_a_dir, "cannot be written"});
}

TEST(Preflight, EveryBadImageIsListed) {
  const fs::path d = scratch("images");
  Image good(1, 4, 4, 0.5f);
  write_png((d / "good.png").string(), good);
  std::ofstream(d / "truncated.png") << "\x89PNG\r\n";
  std::ofstream(d / "text.png") << "not an image";
  write_tiff((d / "good.tif").string(), {good});
  std::ofstream(d / "truncated.tif") << "II*";
  Manifest m;
  m.root = d.string();
  EXPECT_NO_THROW(check_images(m, {{"good.png"}, {"good.png"}, {"good.tif"}}));
  expect_error_containing(
      [&] { check_images(m, {{"good.png"}, {"truncated.png"}, {"text.png"}, {"missing.png"}, {"good.tif"}, {"truncated.tif"}}); },
      {"4 images of", "truncated.png", "text.png", "missing.png", "truncated.tif", "nothing was trained"});
}

}  // namespace
}  // namespace ctcscope
