// ctcscope inspect: what a dataset's files hold, per class and channel, with
// warnings and a contact sheet, before anything is trained on it.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "base/csv.h"
#include "base/file_util.h"
#include "data/contact_sheet.h"
#include "data/inspect.h"
#include "data/png.h"
#include "eval/report.h"
#include "tools/commands.h"

namespace ctcscope::cli {
namespace {

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A sample as counts of the group's bit depth where it has one depth, else as [0, 1].
std::string as_counts(const InspectGroup& g, double value) {
  if (g.bit_depths.size() != 1 || *g.bit_depths.begin() <= 0) return fixed(value, 4);
  return fixed(value * (std::ldexp(1.0, *g.bit_depths.begin()) - 1.0), 0);
}

std::vector<std::string> header() {
  return {"class", "channel", "images", "bits", "size (h x w)", "min", "1%", "50%", "99.8%", "max", "range used",
          "at 0", "at full scale"};
}

std::vector<std::vector<std::string>> rows(const DatasetInspection& d) {
  std::vector<std::vector<std::string>> out;
  for (const InspectGroup& g : d.groups) {
    std::string bits;
    for (int b : g.bit_depths) bits += (bits.empty() ? "" : ",") + std::to_string(b);
    std::vector<std::string> row = {g.label == CellLabel::ctc ? "ctc" : "leukocyte", channel_name(g.channel),
                                    std::to_string(g.images), bits,
                                    std::to_string(g.min_height) + ".." + std::to_string(g.max_height) + " x " +
                                        std::to_string(g.min_width) + ".." + std::to_string(g.max_width)};
    for (double p : g.percentiles) row.push_back(as_counts(g, p));
    row.push_back(fixed(100.0 * g.range_share, 1) + "%");
    row.push_back(fixed(100.0 * g.share_at_zero, 2) + "%");
    row.push_back(fixed(100.0 * g.share_at_full, 2) + "%");
    out.push_back(row);
  }
  return out;
}

std::string text_table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& body) {
  std::vector<std::size_t> width(head.size());
  for (std::size_t c = 0; c < head.size(); ++c) width[c] = head[c].size();
  for (const auto& r : body) {
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::ostringstream s;
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t c = 0; c < r.size(); ++c) s << (c ? "  " : "") << std::string(width[c] - r[c].size(), ' ') << r[c];
    s << "\n";
  };
  line(head);
  for (const auto& r : body) line(r);
  return s.str();
}

void write_page(const std::string& out_dir, const DatasetInspection& d, const CellImageSettings& settings,
                const std::string& sheet_png, const std::vector<std::string>& sheet_rows) {
  HtmlReport page("ctcscope inspect: " + d.root);
  page.paragraph(std::to_string(d.cells) + " cells. Samples as the files hold them (counts of the bit depth). The "
                 "network is fed them through the intensity stage " + settings.intensity.spec() + ".");
  page.table(header(), rows(d));
  page.heading(d.warnings.empty() ? "No warnings" : "Warnings");
  for (const std::string& w : d.warnings) page.paragraph(w);
  page.heading("Contact sheet");
  std::string columns;
  for (const char* c : kContactSheetColumns) columns += (columns.empty() ? "" : " | ") + std::string(c);
  page.paragraph("Columns: " + columns + ". Rows: " + [&] {
    std::string r;
    for (const auto& s : sheet_rows) r += (r.empty() ? "" : ", ") + s;
    return r;
  }() + ".");
  const std::string bytes = read_file_bytes(sheet_png);
  page.images({{"contact_sheet.png", std::vector<std::uint8_t>(bytes.begin(), bytes.end())}});
  write_file_atomic((std::filesystem::path(out_dir) / "inspect.html").string(), page.html());
}

}  // namespace

int run_inspect(const Argv& argv) {
  Args args("inspect",
            "What a dataset's image files hold before training on them: per class and channel\n"
            "the bit depth, image sizes, min / 1st / 50th / 99.8th percentile / max (in counts),\n"
            "the share of the range used and of pixels at 0 or full scale, and warnings (images\n"
            "using under 10% of their range, clipping, BF and DAPI of different sizes).\n"
            "--out DIR also writes inspect.html and contact_sheet.png: cells of each class as\n"
            "decoded beside as the network is fed them, with one augmented copy of each kind.");
  args.option("out", "DIR", "", "write inspect.html, contact_sheet.png and inspect.csv here");
  add_training_options(args, kImageReadingKeys);  // the contact sheet shows the intensity stage
  args.option("cells", "N", "4", "contact sheet rows per class");
  args.option("tile", "PIXELS", "96", "contact sheet tile size");
  args.example("ctcscope inspect datasets/synth16 --out /tmp/inspect16");
  args.positional("DATASET", "a folder with manifest.csv");
  if (!args.parse(argv)) return 0;
  const TrainConfig reading = training_options(args, kImageReadingKeys);
  CellImageSettings settings;
  settings.intensity = parse_intensity(reading.intensity);
  settings.read[0] = {reading.bf_channel, static_cast<int>(reading.bf_page)};
  settings.read[1] = {reading.dapi_channel, static_cast<int>(reading.dapi_page)};
  const Manifest manifest = read_manifest(args.get_positional("DATASET"));
  const DatasetInspection d = inspect_dataset(manifest, settings);
  std::printf("%s: %lld cells\n%s", manifest.root.c_str(), static_cast<long long>(d.cells),
              text_table(header(), rows(d)).c_str());
  for (const std::string& w : d.warnings) std::printf("WARNING: %s\n", w.c_str());
  const std::string out_dir = args.get("out");
  if (out_dir.empty()) return 0;
  std::filesystem::create_directories(out_dir);
  std::vector<std::int64_t> all(manifest.cells.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  settings.intensity = fit_dataset_levels(manifest, all, settings);  // dataset mode: over every cell here
  const auto cells = contact_sheet_cells(manifest, args.get_int("cells", 1, 100));
  const std::string sheet = (std::filesystem::path(out_dir) / "contact_sheet.png").string();
  write_png(sheet, contact_sheet(manifest, cells, settings, args.get_int("tile", 16, 512), 0));
  std::vector<std::string> sheet_rows;
  for (auto i : cells) {
    const CellRecord& c = manifest.cells[static_cast<std::size_t>(i)];
    sheet_rows.push_back(c.cell_id + " (" + (c.label == CellLabel::ctc ? "ctc" : "leukocyte") + ")");
  }
  std::string csv = csv_line(header());
  for (const auto& r : rows(d)) csv += csv_line(r);
  write_file_atomic((std::filesystem::path(out_dir) / "inspect.csv").string(), csv);
  write_page(out_dir, d, settings, sheet, sheet_rows);
  std::printf("wrote %s/inspect.html, contact_sheet.png, inspect.csv\n", out_dir.c_str());
  return 0;
}

}  // namespace ctcscope::cli
