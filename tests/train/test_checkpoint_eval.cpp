// folder_manifest: which files of a folder `ctcscope predict --folder` takes
// (BF images of every format read_image reads, DAPI images and other files
// left out) and the cell ids it gives them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/test_util.h"
#include "train/checkpoint_eval.h"

namespace ctcscope {
namespace {

TEST(FolderManifest, TakesPngAndTiffBfImagesAndLeavesDapiOut) {
  const std::string dir = test::fresh_test_dir("folder_manifest");
  for (const char* name : {"a_bf.png", "a_dapi.png", "b_BF.TIF", "b_Dapi.tif", "c.tiff", "d_dapi.TIFF", "notes.txt",
                           "e.tif.bak"}) {
    std::ofstream(dir + "/" + name) << "x";
  }
  const Manifest m = folder_manifest(dir);
  ASSERT_EQ(m.cells.size(), 3u);
  EXPECT_EQ(m.cells[0].cell_id, "a");
  EXPECT_EQ(m.cells[0].bf, "a_bf.png");
  EXPECT_EQ(m.cells[1].cell_id, "b");
  EXPECT_EQ(m.cells[1].bf, "b_BF.TIF");
  EXPECT_EQ(m.cells[2].cell_id, "c");
  EXPECT_EQ(m.cells[2].bf, "c.tiff");

  const std::string only_dapi = test::fresh_test_dir("folder_manifest_dapi");
  std::ofstream(only_dapi + "/x_dapi.tif") << "x";
  test::expect_error_containing([&] { folder_manifest(only_dapi); }, "no .png, .tif or .tiff images");
}

}  // namespace
}  // namespace ctcscope
