// The manifest: a good file read back, each kind of bad row with its line
// number, skip mode, RFC 4180 quoting, paths that leave the folder, the
// write/read round trip and the hash; the CSV parser on its own.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "base/csv.h"
#include "base/file_util.h"
#include "data/manifest.h"
#include "base/error.h"
#include "base/sha256.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

std::string temp_dataset(const std::string& name) {
  fs::path dir = ::ctcscope::test::scratch_root() / "ctc_test_manifest" / name;
  fs::remove_all(dir);
  fs::create_directories(dir / "ctc");
  fs::create_directories(dir / "leukocyte");
  for (const char* f : {"ctc/a_bf.png", "ctc/a_dapi.png", "ctc/b_bf.png", "leukocyte/c_bf.png",
                        "leukocyte/c_dapi.png", "leukocyte/d, e_bf.png"}) {
    std::ofstream(dir / f) << "x";
  }
  return dir.string();
}

void write_text(const std::string& dir, const std::string& text) { std::ofstream(dir + "/manifest.csv") << text; }

std::string error_of(const std::string& dir, ManifestOptions options = {}) {
  try {
    read_manifest(dir, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kHeader = "cell_id,label,source,patient,bf,dapi\n";

// fn throws an Error whose message holds every needle.
void test_error_names(const std::function<void()>& fn, const std::vector<std::string>& needles) {
  try {
    fn();
  } catch (const Error& e) {
    for (const auto& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
    return;
  }
  ADD_FAILURE() << "no error";
}

TEST(Manifest, ReadsGoodFileWithQuotingAndCrlf) {
  const std::string dir = temp_dataset("good");
  write_text(dir, "cell_id,label,source,patient,bf,dapi\r\n"
                  "a,ctc,spike_in,,ctc/a_bf.png,ctc/a_dapi.png\r\n"
                  "b,ctc,patient,P07,ctc/b_bf.png,\r\n"
                  "\r\n"
                  "\"c\",leukocyte,healthy,\"HV \"\"1\"\"\",leukocyte/c_bf.png,leukocyte/c_dapi.png\r\n"
                  "\"d, e\",leukocyte,patient,P07,\"leukocyte/d, e_bf.png\",\n");
  const Manifest m = read_manifest(dir);
  EXPECT_EQ(m.root, dir);
  ASSERT_EQ(m.cells.size(), 4u);
  EXPECT_TRUE(m.skipped.empty());
  EXPECT_EQ(m.cells[0].cell_id, "a");
  EXPECT_EQ(m.cells[0].label, CellLabel::ctc);
  EXPECT_EQ(m.cells[0].source, CellSource::spike_in);
  EXPECT_EQ(m.cells[0].dapi, "ctc/a_dapi.png");
  EXPECT_EQ(m.cells[0].line, 2);
  EXPECT_EQ(m.cells[1].patient, "P07");
  EXPECT_EQ(m.cells[1].dapi, "");
  EXPECT_EQ(m.cells[2].patient, "HV \"1\"");
  EXPECT_EQ(m.cells[2].line, 5);  // the blank line 4 is skipped
  EXPECT_EQ(m.cells[3].cell_id, "d, e");
  EXPECT_EQ(m.cells[3].bf, "leukocyte/d, e_bf.png");

  // Round trip through the writer: same records, and the hash follows the bytes.
  write_manifest(dir, m.cells);
  const Manifest again = read_manifest(dir);
  ASSERT_EQ(again.cells.size(), m.cells.size());
  for (std::size_t k = 0; k < m.cells.size(); ++k) {
    EXPECT_EQ(again.cells[k].cell_id, m.cells[k].cell_id);
    EXPECT_EQ(again.cells[k].label, m.cells[k].label);
    EXPECT_EQ(again.cells[k].source, m.cells[k].source);
    EXPECT_EQ(again.cells[k].patient, m.cells[k].patient);
    EXPECT_EQ(again.cells[k].bf, m.cells[k].bf);
    EXPECT_EQ(again.cells[k].dapi, m.cells[k].dapi);
  }
  std::ifstream in(dir + "/manifest.csv", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.substr(0, kHeader.size()), kHeader);
  EXPECT_EQ(manifest_sha256(dir), sha256_hex(bytes));
  EXPECT_EQ(manifest_sha256(dir).size(), 64u);
}

struct BadRow {
  std::string row;
  std::string message;
};

TEST(Manifest, EachBadRowNamesFileAndLine) {
  const std::string dir = temp_dataset("bad");
  const std::string good = "a,ctc,spike_in,,ctc/a_bf.png,ctc/a_dapi.png\n";
  const std::vector<BadRow> cases = {
      {"x,tumour,spike_in,,ctc/b_bf.png,\n", "manifest.csv:3: unknown label 'tumour' (expected ctc or leukocyte)"},
      {"x,ctc,cellline,,ctc/b_bf.png,\n",
       "manifest.csv:3: unknown source 'cellline' (expected spike_in, patient or healthy)"},
      {"x,ctc,spike_in,,ctc/b_bf.png\n", "manifest.csv:3: expected 6 columns"},
      {"x,ctc,spike_in,,ctc/b_bf.png,,\n", "manifest.csv:3: expected 6 columns"},
      {"a,ctc,spike_in,,ctc/b_bf.png,\n", "manifest.csv:3: duplicate cell id 'a' (first on line 2)"},
      {"x,ctc,spike_in,,ctc/zz_bf.png,\n", "manifest.csv:3: bf image 'ctc/zz_bf.png' not found"},
      {"x,ctc,spike_in,,ctc/b_bf.png,ctc/zz_dapi.png\n", "manifest.csv:3: dapi image 'ctc/zz_dapi.png' not found"},
      {",ctc,spike_in,,ctc/b_bf.png,\n", "manifest.csv:3: empty cell_id"},
      {"x,ctc,spike_in,,,\n", "manifest.csv:3: bf path '' is empty"},
      {"x,ctc,spike_in,,/etc/passwd,\n", "manifest.csv:3: bf path '/etc/passwd' is absolute"},
      {"x,ctc,spike_in,,../outside.png,\n", "manifest.csv:3: bf path '../outside.png' leaves the dataset folder"},
      {"x,ctc,spike_in,,ctc/../../b.png,\n", "leaves the dataset folder"},
      {"x,ctc,spike_in,,ctc/b_bf.png,..\\x.png\n", "manifest.csv:3: dapi path '..\\x.png' leaves the dataset folder"},
  };
  for (const BadRow& c : cases) {
    write_text(dir, kHeader + good + c.row);
    const std::string message = error_of(dir);
    EXPECT_NE(message.find(c.message), std::string::npos) << "row: " << c.row << "got: " << message;
    EXPECT_NE(message.find(dir), std::string::npos) << message;  // the full path of the file
  }
}

TEST(Manifest, HeaderAndSyntaxErrors) {
  const std::string dir = temp_dataset("header");
  write_text(dir, "cell_id,label,source,bf,dapi\n");
  EXPECT_NE(error_of(dir).find("manifest.csv:1: header must be 'cell_id,label,source,patient,bf,dapi'"),
            std::string::npos);
  write_text(dir, "");
  EXPECT_NE(error_of(dir).find("manifest.csv: empty manifest"), std::string::npos);
  write_text(dir, kHeader + "a,ctc,spike_in,,\"ctc/a_bf.png,\n");
  EXPECT_NE(error_of(dir).find("manifest.csv:2: quoted field never closed"), std::string::npos) << error_of(dir);
  write_text(dir, kHeader + "a,ctc,spike_in,,\"ctc/a_bf.png\"x,\n");
  EXPECT_NE(error_of(dir).find("manifest.csv:2: unexpected character 'x' after a closing quote"),
            std::string::npos);
  // Skip mode does not skip a bad header.
  write_text(dir, "id,label\n");
  EXPECT_NE(error_of(dir, {true, true}).find("header must be"), std::string::npos);
  fs::remove(dir + "/manifest.csv");
  EXPECT_NE(error_of(dir).find("manifest.csv: cannot open"), std::string::npos);
}

// A lab's own columns (sample, slide) after the six are kept per cell, so
// predictions can be grouped by them; manifest_column reads any column.
TEST(Manifest, ExtraColumnsAreKeptAndReadByName) {
  const std::string dir = temp_dataset("extra");
  write_text(dir, "cell_id,label,source,patient,bf,dapi,sample,slide\n"
                  "a,ctc,patient,P1,ctc/a_bf.png,,S1,\"slide, 3\"\n"
                  "b,ctc,patient,P2,ctc/b_bf.png,,S2,4\n");
  const Manifest m = read_manifest(dir);
  EXPECT_EQ(m.extra_columns, (std::vector<std::string>{"sample", "slide"}));
  ASSERT_EQ(m.cells.size(), 2u);
  EXPECT_EQ(m.cells[0].extra, (std::vector<std::string>{"S1", "slide, 3"}));
  EXPECT_EQ(manifest_column(m, "slide"), (std::vector<std::string>{"slide, 3", "4"}));
  EXPECT_EQ(manifest_column(m, "patient"), (std::vector<std::string>{"P1", "P2"}));
  EXPECT_EQ(manifest_column(m, "label"), (std::vector<std::string>{"ctc", "ctc"}));
  test_error_names(
      [&] { manifest_column(m, "batch"); },
      {dir + "/manifest.csv has no column 'batch'", "cell_id, label, source, patient, bf, dapi, sample, slide"});

  write_text(dir, "cell_id,label,source,patient,bf,dapi,sample\n"
                  "a,ctc,patient,P1,ctc/a_bf.png,\n");
  EXPECT_NE(error_of(dir).find("manifest.csv:2: expected 7 columns (cell_id,label,source,patient,bf,dapi,sample), found 6"),
            std::string::npos) << error_of(dir);
  write_text(dir, "cell_id,label,source,patient,bf,dapi,sample,\n");
  EXPECT_NE(error_of(dir).find("manifest.csv:1: column 8 has no name"), std::string::npos) << error_of(dir);
  write_text(dir, "cell_id,label,source,patient,bf,dapi,sample,patient\n");
  EXPECT_NE(error_of(dir).find("manifest.csv:1: column 'patient' is named twice (columns 4 and 8)"), std::string::npos)
      << error_of(dir);
}

TEST(Manifest, SkipModeReportsEachRow) {
  const std::string dir = temp_dataset("skip");
  write_text(dir, kHeader +
                      "a,ctc,spike_in,,ctc/a_bf.png,ctc/a_dapi.png\n"  // 2 good
                      "b,tumour,spike_in,,ctc/b_bf.png,\n"             // 3 bad label
                      "c,leukocyte,healthy,,leukocyte/c_bf.png,\n"     // 4 good
                      "a,ctc,spike_in,,ctc/b_bf.png,\n"                // 5 duplicate
                      "e,ctc,spike_in,,ctc/e_bf.png,\n"                // 6 missing file
                      "f,ctc\n");                                       // 7 columns
  ManifestOptions options;
  options.skip_bad_rows = true;
  const Manifest m = read_manifest(dir, options);
  ASSERT_EQ(m.cells.size(), 2u);
  EXPECT_EQ(m.cells[0].cell_id, "a");
  EXPECT_EQ(m.cells[1].cell_id, "c");
  ASSERT_EQ(m.skipped.size(), 4u);
  EXPECT_NE(m.skipped[0].find("manifest.csv:3: unknown label 'tumour'"), std::string::npos);
  EXPECT_NE(m.skipped[1].find("manifest.csv:5: duplicate cell id 'a'"), std::string::npos);
  EXPECT_NE(m.skipped[2].find("manifest.csv:6: bf image 'ctc/e_bf.png' not found"), std::string::npos);
  EXPECT_NE(m.skipped[3].find("manifest.csv:7: expected 6 columns"), std::string::npos);

  // Without the file check the missing image is accepted.
  options.check_files = false;
  EXPECT_EQ(read_manifest(dir, options).cells.size(), 3u);
}

TEST(Manifest, WriterRejectsBadRecords) {
  const std::string dir = temp_dataset("write");
  CellRecord a;
  a.cell_id = "a";
  a.bf = "ctc/a_bf.png";
  CellRecord escape = a;
  escape.cell_id = "b";
  escape.bf = "../b.png";
  EXPECT_THROW(write_manifest(dir, {a, a}), Error);
  EXPECT_THROW(write_manifest(dir, {escape}), Error);
  EXPECT_FALSE(fs::exists(dir + "/manifest.csv"));
  write_manifest(dir, {});
  EXPECT_TRUE(read_manifest(dir).cells.empty());
}

TEST(Csv, ParsesRfc4180) {
  const auto rows = csv_parse("a,\"b,c\",\"d\"\"e\"\n\n\"multi\nline\",x\r\nlast,", "t.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "b,c", "d\"e"}));
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"multi\nline", "x"}));
  EXPECT_EQ(rows[2].line, 5);
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"last", ""}));
  EXPECT_EQ(csv_line({"a", "b,c", "d\"e", " pad", ""}), "a,\"b,c\",\"d\"\"e\",\" pad\",\n");
  EXPECT_THROW(csv_parse("a,b\"c\n", "t.csv"), Error);
}

}  // namespace
}  // namespace ctcscope

namespace ctcscope {
namespace {

TEST(FileUtil, WholeFileReadRefusesAFileOverItsCeilingBeforeReading) {
  const std::string path = (::ctcscope::test::scratch_root() / "ctc_test_ceiling.csv").string();
  std::ofstream(path) << "0123456789";
  EXPECT_EQ(read_file_bytes(path, 10), "0123456789");
  try {
    read_file_bytes(path, 9);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ctc_test_ceiling.csv: 10 bytes is more than the 9 this file may hold"),
              std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ctcscope
