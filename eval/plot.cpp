// Raster plots: a 5x7 bitmap font, lines, axes with "nice" ticks, and PNG
// encoding through data/png (the one PNG encoder) into memory.
#include "eval/plot.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

#include "base/file_util.h"
#include "data/png.h"
#include "base/error.h"

namespace ctcscope {

namespace {

// 5x7 glyphs, rows top to bottom, '#' = ink.
const std::map<char, const char*>& font() {
  static const std::map<char, const char*> f{
      {' ', ".................................. "},
      {'0', ".###.#...##..###.#.###..##...#.###."}, {'1', "..#...##....#....#....#....#...###."},
      {'2', ".###.#...#....#...#...#...#...#####"}, {'3', "#####...#...#......#....##...#.###."},
      {'4', "...#...##..#.#.#..#.#####...#....#."}, {'5', "######....####.....#....##...#.###."},
      {'6', "..##..#...#....####.#...##...#.###."}, {'7', "#####....#...#...#...#....#....#..."},
      {'8', ".###.#...##...#.###.#...##...#.###."}, {'9', ".###.#...##...#.####....#...#..##.."},
      {'A', ".###.#...##...#######...##...##...#"}, {'B', "####.#...##...#####.#...##...#####."},
      {'C', ".###.#...##....#....#....#...#.###."}, {'D', "###..#..#.#...##...##...##..#.###.."},
      {'E', "######....#....####.#....#....#####"}, {'F', "######....#....####.#....#....#...."},
      {'G', ".###.#...##....#.####...##...#.####"}, {'H', "#...##...##...#######...##...##...#"},
      {'I', ".###...#....#....#....#....#...###."}, {'J', "..###...#....#....#....#.#..#..##.."},
      {'K', "#...##..#.#.#..##...#.#..#..#.#...#"}, {'L', "#....#....#....#....#....#....#####"},
      {'M', "#...###.###.#.##.#.##...##...##...#"}, {'N', "#...##...###..##.#.##..###...##...#"},
      {'O', ".###.#...##...##...##...##...#.###."}, {'P', "####.#...##...#####.#....#....#...."},
      {'Q', ".###.#...##...##...##.#.##..#..##.#"}, {'R', "####.#...##...#####.#.#..#..#.#...#"},
      {'S', ".#####....#.....###.....#....#####."}, {'T', "#####..#....#....#....#....#....#.."},
      {'U', "#...##...##...##...##...##...#.###."}, {'V', "#...##...##...##...##...#.#.#...#.."},
      {'W', "#...##...##...##.#.##.#.##.#.#.#.#."}, {'X', "#...##...#.#.#...#...#.#.#...##...#"},
      {'Y', "#...##...#.#.#...#....#....#....#.."}, {'Z', "#####....#...#...#...#...#....#####"},
      {'.', "..........................##...##.."}, {',', ".....................##...#...#...."},
      {'-', "...............###................."}, {'+', ".......#....#..#####..#....#......."},
      {':', ".....##...##.........##...##......."}, {'/', ".........#...#...#...#...#........."},
      {'(', "...#...#...#....#....#.....#.....#."}, {')', ".#.....#.....#....#....#...#...#..."},
      {'%', "##...##..#...#...#...#...#..##...##"}, {'=', "..........#####.....#####.........."},
      {'_', "..............................#####"}, {'\'', "..#....#...#......................."},
      {'<', "...#...#...#...#.....#.....#.....#."}, {'>', ".#.....#.....#.....#...#...#...#..."},
      {'?', ".###.#...#....#...#...#.........#.."}, {'!', "..#....#....#....#....#.........#.."},
      {'#', ".#.#..#.#.#####.#.#.#####.#.#..#.#."}, {'*', ".......#..#.#.#.###.#.#.#..#......."},
      {'[', ".###..#....#....#....#....#....###."}, {']', ".###....#....#....#....#....#..###."},
      {'|', "..#....#....#....#....#....#....#.."}, {'&', ".##..#..#.#.#...#...#.#.##..#..##.#"},
  };
  return f;
}

// The glyph of a character: lower case as capitals, "\xc2\xb1" (±) handled by
// the caller, unknown characters as '?'.
const char* glyph(char ch) {
  const auto& f = font();
  auto it = f.find(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  return it != f.end() ? it->second : f.at('?');
}

// 1, 2 or 5 times a power of ten, so that about `count` steps span [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int count = 5) {
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / count;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string tick_label(double v, double step) {
  char buf[32];
  const int digits = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  std::snprintf(buf, sizeof buf, "%.*f", std::min(digits, 6), v);
  return buf;
}

constexpr Rgb kBlack{0, 0, 0}, kGrid{225, 225, 225}, kGray{120, 120, 120};

// The plotting frame: data range -> pixel box.
struct Frame {
  int left, top, right, bottom;  // pixel box of the axes
  double x0, x1, y0, y1;         // data range
  double px(double x) const { return left + (x - x0) / (x1 - x0) * (right - left); }
  double py(double y) const { return bottom - (y - y0) / (y1 - y0) * (bottom - top); }
};

// Range of the values with a margin, snapped to nice ticks.
void padded_range(const std::vector<double>& v, double& lo, double& hi) {
  lo = INFINITY;
  hi = -INFINITY;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  if (!std::isfinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  const auto t = nice_ticks(lo, hi);
  const double step = t.size() > 1 ? t[1] - t[0] : 1;
  lo = std::floor(lo / step + 1e-9) * step;
  hi = std::ceil(hi / step - 1e-9) * step;
}

void draw_title(Raster& r, const std::string& title) {
  r.text((r.width - Raster::text_width(title, 2)) / 2, 8, title, kBlack, 2);
}

// Axes box, grid, ticks and labels. `which`: 0 left axis with grid and the x
// axis, 1 right axis ticks only.
void draw_axes(Raster& r, const Frame& f, const std::string& x_label, const std::string& y_label, int which,
               Rgb label_color) {
  if (which == 0) {
    const auto xt = nice_ticks(f.x0, f.x1, 6);
    const double xs = xt.size() > 1 ? xt[1] - xt[0] : 1;
    for (double t : xt) {
      if (t < f.x0 - 1e-9 || t > f.x1 + 1e-9) continue;
      const int x = static_cast<int>(std::lround(f.px(t)));
      r.line(x, f.top, x, f.bottom, kGrid);
      r.line(x, f.bottom, x, f.bottom + 4, kBlack);
      const std::string s = tick_label(t, xs);
      r.text(x - Raster::text_width(s, 1) / 2, f.bottom + 7, s, kBlack, 1);
    }
    r.text((f.left + f.right - Raster::text_width(x_label, 2)) / 2, f.bottom + 22, x_label, kBlack, 2);
  }
  const auto yt = nice_ticks(f.y0, f.y1, 5);
  const double ys = yt.size() > 1 ? yt[1] - yt[0] : 1;
  for (double t : yt) {
    if (t < f.y0 - 1e-9 || t > f.y1 + 1e-9) continue;
    const int y = static_cast<int>(std::lround(f.py(t)));
    const std::string s = tick_label(t, ys);
    if (which == 0) {
      r.line(f.left, y, f.right, y, kGrid);
      r.line(f.left - 4, y, f.left, y, kBlack);
      r.text(f.left - 7 - Raster::text_width(s, 1), y - 3, s, kBlack, 1);
    } else {
      r.line(f.right, y, f.right + 4, y, kBlack);
      r.text(f.right + 7, y - 3, s, kBlack, 1);
    }
  }
  const int lw = Raster::text_width(y_label, 2);
  const int mid = (f.top + f.bottom) / 2;
  if (which == 0) {
    r.text(8, mid + lw / 2, y_label, label_color, 2, true);
  } else {
    r.text(r.width - 8 - 14, mid + lw / 2, y_label, label_color, 2, true);
  }
  // The box last, over the grid.
  r.line(f.left, f.top, f.right, f.top, kBlack);
  r.line(f.left, f.bottom, f.right, f.bottom, kBlack);
  r.line(f.left, f.top, f.left, f.bottom, kBlack);
  r.line(f.right, f.top, f.right, f.bottom, kBlack);
}

Rgb blend(Rgb a, Rgb b, double t) {
  auto mix = [t](std::uint8_t x, std::uint8_t y) { return static_cast<std::uint8_t>(std::lround(x + (y - x) * t)); };
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

// The square plots (ROC, precision-recall, reliability): both axes [0, 1].
constexpr int kSquareSide = 480;
Frame unit_frame() { return Frame{70, 40, kSquareSide - 25, kSquareSide - 55, 0, 1, 0, 1}; }

void dashed_line(Raster& r, const Frame& f, double x0, double y0, double x1, double y1) {
  for (int s = 0; s < 40; s += 2) {
    const double a = s / 40.0, b = (s + 1) / 40.0;
    r.line(f.px(x0 + a * (x1 - x0)), f.py(y0 + a * (y1 - y0)), f.px(x0 + b * (x1 - x0)), f.py(y0 + b * (y1 - y0)),
           kGray, 1);
  }
}

// Segments between consecutive points; a NaN point (an undefined rate) breaks the line.
void draw_polyline(Raster& r, const Frame& f, const std::vector<double>& x, const std::vector<double>& y, Rgb c) {
  for (std::size_t i = 1; i < x.size(); ++i) {
    if (std::isnan(x[i - 1] + y[i - 1] + x[i] + y[i])) continue;
    r.line(f.px(x[i - 1]), f.py(y[i - 1]), f.px(x[i]), f.py(y[i]), c, 2);
  }
}

// Each mark a 9-pixel square with a black edge (a NaN position draws only
// its legend entry); the legend at the lower right, inside the box.
void draw_marks(Raster& r, const Frame& f, const std::vector<MarkedPoint>& marks) {
  int legend_y = f.bottom - 14 * static_cast<int>(marks.size()) - 4;
  for (const MarkedPoint& m : marks) {
    if (std::isfinite(m.x) && std::isfinite(m.y)) {
      const int x = static_cast<int>(std::lround(f.px(m.x))), y = static_cast<int>(std::lround(f.py(m.y)));
      r.fill_rect(x - 5, y - 5, x + 5, y + 5, kBlack);
      r.fill_rect(x - 4, y - 4, x + 4, y + 4, m.color);
    }
    const int w = Raster::text_width(m.name, 1);
    r.fill_rect(f.right - w - 26, legend_y - 2, f.right - 4, legend_y + 9, {255, 255, 255});
    r.fill_rect(f.right - w - 22, legend_y, f.right - w - 14, legend_y + 7, m.color);
    r.text(f.right - w - 8, legend_y, m.name, kBlack, 1);
    legend_y += 14;
  }
}

}  // namespace

Raster::Raster(int w, int h, Rgb fill) : width(w), height(h), bytes(static_cast<std::size_t>(w) * h * 3) {
  CTC_CHECK(w > 0 && h > 0, "Raster: size must be positive, got ", w, "x", h);
  fill_rect(0, 0, w - 1, h - 1, fill);
}

void Raster::set(int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= width || y >= height) return;
  const auto i = (static_cast<std::size_t>(y) * width + x) * 3;
  bytes[i] = c.r;
  bytes[i + 1] = c.g;
  bytes[i + 2] = c.b;
}

Rgb Raster::at(int x, int y) const {
  const auto i = (static_cast<std::size_t>(y) * width + x) * 3;
  return {bytes[i], bytes[i + 1], bytes[i + 2]};
}

void Raster::fill_rect(int x0, int y0, int x1, int y1, Rgb c) {
  for (int y = std::max(0, std::min(y0, y1)); y <= std::min(height - 1, std::max(y0, y1)); ++y) {
    for (int x = std::max(0, std::min(x0, x1)); x <= std::min(width - 1, std::max(x0, x1)); ++x) set(x, y, c);
  }
}

void Raster::line(double x0, double y0, double x1, double y1, Rgb c, int thickness) {
  const double len = std::max(std::fabs(x1 - x0), std::fabs(y1 - y0));
  const int steps = std::max(1, static_cast<int>(std::ceil(len)));
  const int lo = -(thickness - 1) / 2, hi = thickness / 2;
  for (int s = 0; s <= steps; ++s) {
    const double t = static_cast<double>(s) / steps;
    const int x = static_cast<int>(std::lround(x0 + (x1 - x0) * t));
    const int y = static_cast<int>(std::lround(y0 + (y1 - y0) * t));
    for (int dy = lo; dy <= hi; ++dy) {
      for (int dx = lo; dx <= hi; ++dx) set(x + dx, y + dy, c);
    }
  }
}

void Raster::text(int x, int y, const std::string& s, Rgb c, int scale, bool vertical) {
  int cell = 0;
  for (std::size_t k = 0; k < s.size(); ++k, ++cell) {
    const char* g = glyph(s[k]);
    // UTF-8 "±" (C2 B1): a '+' over a bar, in one cell.
    bool plus_minus = false;
    if (static_cast<unsigned char>(s[k]) == 0xC2 && k + 1 < s.size() && static_cast<unsigned char>(s[k + 1]) == 0xB1) {
      g = glyph('+');
      plus_minus = true;
      ++k;
    }
    for (int row = 0; row < 7; ++row) {
      for (int col = 0; col < 5; ++col) {
        const bool ink = g[row * 5 + col] == '#' || (plus_minus && row == 6);
        if (!ink) continue;
        for (int sy = 0; sy < scale; ++sy) {
          for (int sx = 0; sx < scale; ++sx) {
            const int u = (cell * 6 + col) * scale + sx, v = row * scale + sy;  // glyph space
            if (vertical) {
              set(x + v, y - u, c);
            } else {
              set(x + u, y + v, c);
            }
          }
        }
      }
    }
  }
}

Raster line_plot(const LinePlotSpec& spec) {
  Raster r(spec.width, spec.height);
  bool has_right = false;
  std::vector<double> xs, yl, yr;
  for (const Series& s : spec.series) {
    CTC_CHECK(s.x.size() == s.y.size(), "line_plot: series '", s.name, "' has ", s.x.size(), " x and ", s.y.size(),
              " y values");
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    (s.right_axis ? yr : yl).insert((s.right_axis ? yr : yl).end(), s.y.begin(), s.y.end());
    has_right = has_right || s.right_axis;
  }
  Frame f{70, 40, spec.width - (has_right ? 70 : 20), spec.height - 50, 0, 1, 0, 1};
  padded_range(xs, f.x0, f.x1);
  padded_range(yl, f.y0, f.y1);
  Frame f2 = f;
  if (has_right) padded_range(yr, f2.y0, f2.y1);
  draw_title(r, spec.title);
  Rgb left_color = kBlack, right_color = kBlack;
  for (const Series& s : spec.series) (s.right_axis ? right_color : left_color) = s.color;
  draw_axes(r, f, spec.x_label, spec.y_label, 0, yl.empty() ? kBlack : left_color);
  if (has_right) draw_axes(r, f2, spec.x_label, spec.y2_label, 1, right_color);
  int legend_y = f.top + 8;
  for (const Series& s : spec.series) {
    const Frame& g = s.right_axis ? f2 : f;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      if (i > 0 && std::isfinite(s.y[i - 1])) r.line(g.px(s.x[i - 1]), g.py(s.y[i - 1]), g.px(s.x[i]), g.py(s.y[i]), s.color, 2);
      if (s.x.size() <= 60) r.fill_rect(static_cast<int>(g.px(s.x[i])) - 2, static_cast<int>(g.py(s.y[i])) - 2,
                                        static_cast<int>(g.px(s.x[i])) + 2, static_cast<int>(g.py(s.y[i])) + 2, s.color);
    }
    // Legend, top right inside the box.
    const int w = Raster::text_width(s.name, 1);
    r.fill_rect(f.right - w - 34, legend_y - 2, f.right - 6, legend_y + 9, {255, 255, 255});
    r.line(f.right - w - 30, legend_y + 3, f.right - w - 14, legend_y + 3, s.color, 2);
    r.text(f.right - w - 8, legend_y, s.name, kBlack, 1);
    legend_y += 14;
  }
  return r;
}

Raster training_curves_plot(const std::vector<double>& loss, const std::vector<double>& val_f1,
                            const std::string& title) {
  LinePlotSpec spec;
  spec.title = title;
  spec.x_label = "epoch";
  spec.y_label = "loss";
  spec.y2_label = "validation F1";
  Series l{"training loss", {}, loss, {31, 119, 180}, false};
  for (std::size_t i = 0; i < loss.size(); ++i) l.x.push_back(static_cast<double>(i + 1));
  Series v{"validation F1", {}, val_f1, {214, 39, 40}, true};
  for (std::size_t i = 0; i < val_f1.size(); ++i) v.x.push_back(static_cast<double>(i + 1));
  spec.series = {l, v};
  return line_plot(spec);
}

Raster confusion_matrix_plot(const std::vector<std::vector<std::int64_t>>& confusion,
                             const std::vector<std::string>& class_names, const std::string& title) {
  const int k = static_cast<int>(confusion.size());
  CTC_CHECK(k >= 1, "confusion_matrix_plot: empty matrix");
  std::vector<std::string> names = class_names;
  names.resize(static_cast<std::size_t>(k));
  for (int i = 0; i < k; ++i) {
    if (names[static_cast<std::size_t>(i)].empty()) names[static_cast<std::size_t>(i)] = "class " + std::to_string(i);
  }
  const int cell = std::max(90, 300 / k), left = 150, top = 50;
  Raster r(left + k * cell + 30, top + k * cell + 70);
  draw_title(r, title);
  const Rgb light{247, 251, 255}, dark{8, 48, 107};
  for (int t = 0; t < k; ++t) {
    std::int64_t row_sum = 0;
    for (int p = 0; p < k; ++p) row_sum += confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)];
    for (int p = 0; p < k; ++p) {
      const std::int64_t n = confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)];
      const double share = row_sum > 0 ? static_cast<double>(n) / static_cast<double>(row_sum) : 0.0;
      const int x0 = left + p * cell, y0 = top + t * cell;
      r.fill_rect(x0, y0, x0 + cell - 1, y0 + cell - 1, blend(light, dark, share));
      const Rgb ink = share > 0.5 ? Rgb{255, 255, 255} : kBlack;
      const std::string count = std::to_string(n);
      r.text(x0 + (cell - Raster::text_width(count, 3)) / 2, y0 + cell / 2 - 16, count, ink, 3);
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.1f%%", 100 * share);
      r.text(x0 + (cell - Raster::text_width(pct, 1)) / 2, y0 + cell / 2 + 12, pct, ink, 1);
    }
    const std::string& name = names[static_cast<std::size_t>(t)];
    r.text(left - 8 - Raster::text_width(name, 2), top + t * cell + cell / 2 - 7, name, kBlack, 2);
  }
  for (int p = 0; p < k; ++p) {
    const std::string& name = names[static_cast<std::size_t>(p)];
    r.text(left + p * cell + (cell - Raster::text_width(name, 2)) / 2, top + k * cell + 8, name, kBlack, 2);
  }
  const std::string xl = "predicted", yl = "true";
  r.text(left + (k * cell - Raster::text_width(xl, 2)) / 2, top + k * cell + 40, xl, kGray, 2);
  r.text(8, top + (k * cell + Raster::text_width(yl, 2)) / 2, yl, kGray, 2, true);
  return r;
}

Raster roc_plot(const std::vector<RocPoint>& curve, double auc, const std::string& title,
                const std::vector<MarkedPoint>& marks) {
  Raster r(kSquareSide, kSquareSide);
  const Frame f = unit_frame();
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s (AUC = %s)", title.c_str(), std::isnan(auc) ? "n/a" : roc_auc_text(auc, 3).c_str());
  draw_title(r, buf);
  draw_axes(r, f, "false positive rate", "true positive rate", 0, kBlack);
  dashed_line(r, f, 0, 0, 1, 1);  // chance
  std::vector<double> x, y;
  for (const RocPoint& p : curve) {
    x.push_back(p.false_positive_rate);
    y.push_back(p.true_positive_rate);
  }
  draw_polyline(r, f, x, y, {214, 39, 40});
  draw_marks(r, f, marks);
  return r;
}

Raster precision_recall_plot(const std::vector<PrPoint>& curve, double positive_share,
                             const std::vector<MarkedPoint>& marks, const std::string& title) {
  Raster r(kSquareSide, kSquareSide);
  const Frame f = unit_frame();
  draw_title(r, title);
  draw_axes(r, f, "recall (sensitivity)", "precision", 0, kBlack);
  if (std::isfinite(positive_share)) dashed_line(r, f, 0, positive_share, 1, positive_share);  // calling at random
  std::vector<double> x, y;
  for (const PrPoint& p : curve) {
    x.push_back(p.recall);
    y.push_back(p.precision);
  }
  draw_polyline(r, f, x, y, {31, 119, 180});
  draw_marks(r, f, marks);
  return r;
}

Raster reliability_plot(const std::vector<ReliabilitySeries>& series, const std::string& title) {
  Raster r(kSquareSide, kSquareSide);
  const Frame f = unit_frame();
  draw_title(r, title);
  draw_axes(r, f, "mean predicted probability", "fraction of positives", 0, kBlack);
  dashed_line(r, f, 0, 0, 1, 1);  // perfect calibration
  std::vector<MarkedPoint> legend;
  for (const ReliabilitySeries& s : series) {
    std::vector<double> x, y;
    for (const ReliabilityBin& b : s.bins) {
      if (b.count == 0) continue;  // an empty bin has no point
      x.push_back(b.mean_probability);
      y.push_back(b.fraction_positive);
      r.fill_rect(static_cast<int>(f.px(x.back())) - 2, static_cast<int>(f.py(y.back())) - 2,
                  static_cast<int>(f.px(x.back())) + 2, static_cast<int>(f.py(y.back())) + 2, s.color);
    }
    draw_polyline(r, f, x, y, s.color);
    legend.push_back({s.name, std::nan(""), std::nan(""), s.color});
  }
  draw_marks(r, f, legend);
  return r;
}

std::vector<std::uint8_t> encode_png(const Raster& r) {
  CTC_CHECK(r.width > 0 && r.height > 0 && r.bytes.size() == static_cast<std::size_t>(r.width) * r.height * 3,
            "encode_png: raster ", r.width, "x", r.height, " holds ", r.bytes.size(), " bytes");
  const std::string bytes = encode_png_samples(r.bytes.data(), r.width, r.height, 3, 8);
  return {bytes.begin(), bytes.end()};
}

void save_png(const std::string& path, const Raster& r) {
  const std::vector<std::uint8_t> bytes = encode_png(r);
  write_file_atomic(path, std::string(bytes.begin(), bytes.end()));
}

}  // namespace ctcscope
