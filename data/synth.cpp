// The synthetic DEPArray-like dataset: the plan of cells, each cell's drawn
// morphology, and its rendering as a bright-field and a DAPI image.
#include "data/synth.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <thread>

#include "data/png.h"
#include "base/error.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

constexpr double kPi = std::numbers::pi;

// Sequential draws from one cell's Philox stream: the order of draws inside
// a cell is fixed, so a cell depends only on its key.
class Draws {
 public:
  explicit Draws(const Seed& seed) : rng_(seed) {}
  double uniform() { return rng_.uniform(next_++); }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  double normal() {
    double u1 = uniform() + 1.0 / 33554432.0, u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }
  bool chance(double p) { return uniform() < p; }
  int integer(int low, int high) {  // inclusive
    return low + std::min(high - low, static_cast<int>(uniform() * (high - low + 1)));
  }

 private:
  Philox rng_;
  std::uint64_t next_ = 0;
};

// A smooth random field in about [-1, 1]: random values on a grid of the
// given spacing, interpolated with a smoothstep.
class ValueNoise {
 public:
  ValueNoise(Draws& draws, std::int64_t size, double spacing) : spacing_(spacing) {
    n_ = static_cast<std::int64_t>(std::ceil(static_cast<double>(size) / spacing)) + 2;
    grid_.resize(static_cast<std::size_t>(n_ * n_));
    for (double& v : grid_) v = draws.uniform(-1.0, 1.0);
  }
  double operator()(double x, double y) const {
    double gx = x / spacing_, gy = y / spacing_;
    auto ix = static_cast<std::int64_t>(gx), iy = static_cast<std::int64_t>(gy);
    ix = std::clamp<std::int64_t>(ix, 0, n_ - 2);
    iy = std::clamp<std::int64_t>(iy, 0, n_ - 2);
    double fx = smooth(gx - static_cast<double>(ix)), fy = smooth(gy - static_cast<double>(iy));
    auto g = [&](std::int64_t a, std::int64_t b) { return grid_[static_cast<std::size_t>(b * n_ + a)]; };
    double top = g(ix, iy) * (1 - fx) + g(ix + 1, iy) * fx;
    double bottom = g(ix, iy + 1) * (1 - fx) + g(ix + 1, iy + 1) * fx;
    return top * (1 - fy) + bottom * fy;
  }

 private:
  static double smooth(double t) {
    t = std::clamp(t, 0.0, 1.0);
    return t * t * (3 - 2 * t);
  }
  double spacing_;
  std::int64_t n_ = 0;
  std::vector<double> grid_;
};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double gauss(double x, double sd) { return std::exp(-0.5 * x * x / (sd * sd)); }
double lerp(double a, double b, double t) { return a + (b - a) * t; }

void gaussian_blur(Image& image, double sigma) {
  const int radius = static_cast<int>(std::ceil(3 * sigma));
  std::vector<double> k(static_cast<std::size_t>(2 * radius + 1));
  double sum = 0;
  for (int i = -radius; i <= radius; ++i) sum += k[static_cast<std::size_t>(i + radius)] = gauss(i, sigma);
  for (double& v : k) v /= sum;
  const std::int64_t H = image.height, W = image.width;
  Image tmp = image;
  for (std::int64_t y = 0; y < H; ++y)
    for (std::int64_t x = 0; x < W; ++x) {
      double acc = 0;
      for (int i = -radius; i <= radius; ++i)
        acc += k[static_cast<std::size_t>(i + radius)] * image.at(0, y, std::clamp<std::int64_t>(x + i, 0, W - 1));
      tmp.at(0, y, x) = static_cast<float>(acc);
    }
  for (std::int64_t y = 0; y < H; ++y)
    for (std::int64_t x = 0; x < W; ++x) {
      double acc = 0;
      for (int i = -radius; i <= radius; ++i)
        acc += k[static_cast<std::size_t>(i + radius)] * tmp.at(0, std::clamp<std::int64_t>(y + i, 0, H - 1), x);
      image.at(0, y, x) = static_cast<float>(acc);
    }
}

// Mean and spread of a feature for one kind of cell.
struct Feature {
  double mean, sd;
};

struct KindTraits {
  Feature radius;         // px
  Feature irregularity;   // relative boundary harmonics
  Feature nucleus_ratio;  // nucleus radius / cell radius
  double nucleoli_probability;
  double granularity;     // cytoplasm texture amplitude
  double dapi_brightness; // condensed leukocyte chromatin is brighter
};

KindTraits traits_of(SynthKind kind) {
  switch (kind) {
    // Cell lines (A549, Calu3): large, often irregular, big nucleus, nucleoli.
    case SynthKind::cell_line: return {{33, 4.5}, {0.07, 0.035}, {0.66, 0.07}, 0.9, 0.025, 0.55};
    // Patient CTCs: smaller than cultured lines and more varied.
    case SynthKind::patient_ctc: return {{28, 6.0}, {0.09, 0.05}, {0.63, 0.10}, 0.7, 0.03, 0.55};
    // Lymphocyte: small, round, round nucleus.
    case SynthKind::lymphocyte: return {{19, 2.0}, {0.025, 0.012}, {0.55, 0.06}, 0.0, 0.015, 0.8};
    // Neutrophil: a little larger, granular cytoplasm, lobed nucleus.
    case SynthKind::neutrophil: return {{21, 2.2}, {0.035, 0.015}, {0.50, 0.06}, 0.0, 0.04, 0.75};
  }
  return {};
}

bool is_tumor(SynthKind kind) { return kind == SynthKind::cell_line || kind == SynthKind::patient_ctc; }

// The feature of the other class, for blending as difficulty grows.
Feature blend(Feature own, Feature other, double difficulty) {
  return {lerp(own.mean, other.mean, 0.35 * difficulty), own.sd * (1.0 + 0.6 * difficulty)};
}

struct Lobe {
  double x, y, rx, ry, angle;
};

struct Geometry {
  double cx, cy, radius;
  double harmonics[4], phases[4];  // k = 2..5
  std::vector<Lobe> lobes;         // the nucleus: one ellipse or several lobes
  std::vector<Lobe> nucleoli;
};

double boundary(const Geometry& g, double phi) {
  double r = 1.0;
  for (int k = 0; k < 4; ++k) r += g.harmonics[k] * std::cos((k + 2) * phi + g.phases[k]);
  return g.radius * r;
}

// Signed distance-like value of an ellipse: < 0 inside, in pixels at its rim.
double ellipse_distance(const Lobe& e, double x, double y) {
  double dx = x - e.x, dy = y - e.y;
  double c = std::cos(e.angle), s = std::sin(e.angle);
  double u = (dx * c + dy * s) / e.rx, v = (-dx * s + dy * c) / e.ry;
  return (std::sqrt(u * u + v * v) - 1.0) * std::min(e.rx, e.ry);
}

double nucleus_distance(const Geometry& g, double x, double y) {
  double d = 1e9;
  for (const Lobe& l : g.lobes) d = std::min(d, ellipse_distance(l, x, y));
  return d;
}

}  // namespace

const char* synth_kind_name(SynthKind kind) {
  switch (kind) {
    case SynthKind::cell_line: return "cell_line";
    case SynthKind::patient_ctc: return "patient_ctc";
    case SynthKind::lymphocyte: return "lymphocyte";
    case SynthKind::neutrophil: return "neutrophil";
  }
  return "?";
}

std::vector<CellRecord> synth_plan(const SynthOptions& o) {
  CTC_CHECK(o.spike_in >= 0 && o.patient_ctc >= 0 && o.leukocytes >= 0, "synth: counts must not be negative");
  CTC_CHECK(o.patients > 0 && o.healthy_volunteers > 0, "synth: need at least one patient and one volunteer");
  CTC_CHECK(o.difficulty >= 0 && o.difficulty <= 1, "synth: difficulty must be in [0, 1], got ", o.difficulty);
  // Paper, Table 1: 56 of the 388 leukocytes are in the test set, with the
  // patients' CTCs; here they are the patients' leukocytes.
  const std::int64_t patient_leukocytes = (o.leukocytes * 56 + 194) / 388;
  const std::int64_t healthy_leukocytes = o.leukocytes - patient_leukocytes;
  std::vector<CellRecord> cells;
  auto add = [&](const char* prefix, std::int64_t i, CellLabel label, CellSource source, std::string patient) {
    char id[64];
    std::snprintf(id, sizeof id, "%s%04lld", prefix, static_cast<long long>(i));
    CellRecord r;
    r.cell_id = id;
    r.label = label;
    r.source = source;
    r.patient = std::move(patient);
    r.bf = std::string("bf/").append(id).append("_bf.png");
    r.dapi = std::string("dapi/").append(id).append("_dapi.png");
    r.line = static_cast<int>(cells.size()) + 2;
    cells.push_back(std::move(r));
  };
  auto name = [](const char* prefix, std::int64_t k) {
    char s[32];
    std::snprintf(s, sizeof s, "%s%02lld", prefix, static_cast<long long>(k + 1));
    return std::string(s);
  };
  for (std::int64_t i = 0; i < o.spike_in; ++i) add("spike", i, CellLabel::ctc, CellSource::spike_in, "");
  for (std::int64_t i = 0; i < o.patient_ctc; ++i)
    add("pctc", i, CellLabel::ctc, CellSource::patient, name("P", i % o.patients));
  for (std::int64_t i = 0; i < healthy_leukocytes; ++i)
    add("hleu", i, CellLabel::leukocyte, CellSource::healthy, name("HV", i % o.healthy_volunteers));
  for (std::int64_t i = 0; i < patient_leukocytes; ++i)
    add("pleu", i, CellLabel::leukocyte, CellSource::patient, name("P", i % o.patients));
  return cells;
}

SynthKind synth_kind_of(const CellRecord& record, std::int64_t index, const SynthOptions& options) {
  if (record.label == CellLabel::ctc)
    return record.source == CellSource::spike_in ? SynthKind::cell_line : SynthKind::patient_ctc;
  // About 40% of the leukocytes a size-based enrichment keeps are neutrophils.
  Philox rng(Seed{"synth.leukocyte_kind", static_cast<std::uint64_t>(index), options.seed});
  return rng.uniform(0) < 0.4 ? SynthKind::neutrophil : SynthKind::lymphocyte;
}

namespace {

// Draws a cell and, when `render`, paints its images; the morphology alone
// is cheap, the pixels are not.
SynthCell generate(std::int64_t index, SynthKind kind, const SynthOptions& options, bool render) {
  Draws draw(Seed{"synth.cell", static_cast<std::uint64_t>(index), options.seed});
  const double difficulty = options.difficulty;
  SynthCell cell;
  SynthMorphology& m = cell.morphology;
  m.kind = kind;
  m.size = draw.integer(150, 200);
  const std::int64_t S = m.size;

  // Morphology: the kind's traits, pulled towards the other class as the
  // difficulty grows; some cells look like the other class outright.
  KindTraits own = traits_of(kind);
  KindTraits other = traits_of(is_tumor(kind) ? SynthKind::lymphocyte : SynthKind::cell_line);
  if (draw.chance(0.12 * difficulty)) std::swap(own, other);
  const bool tumor_like = own.nucleoli_probability > 0;
  Feature radius = blend(own.radius, other.radius, difficulty);
  Feature irregular = blend(own.irregularity, other.irregularity, difficulty);
  Feature ratio = blend(own.nucleus_ratio, other.nucleus_ratio, difficulty);
  m.radius = std::clamp(draw.normal(radius.mean, radius.sd), 12.0, 0.3 * static_cast<double>(S));
  m.irregularity = std::clamp(draw.normal(irregular.mean, irregular.sd), 0.005, 0.25);
  m.nucleus_ratio = std::clamp(draw.normal(ratio.mean, ratio.sd), 0.3, 0.85);
  const double nucleoli_p = lerp(own.nucleoli_probability, 0.5, 0.5 * difficulty);
  m.nucleoli = draw.chance(tumor_like ? nucleoli_p : 0.4 * difficulty) ? draw.integer(1, tumor_like ? 3 : 1) : 0;
  m.nucleus_lobes = kind == SynthKind::neutrophil && draw.chance(0.9) ? draw.integer(2, 4) : 1;

  Geometry g;
  g.cx = 0.5 * static_cast<double>(S) + draw.normal(0, 3);
  g.cy = 0.5 * static_cast<double>(S) + draw.normal(0, 3);
  g.radius = m.radius;
  for (int k = 0; k < 4; ++k) {
    g.harmonics[k] = m.irregularity * draw.normal() / (1.0 + 0.5 * k);
    g.phases[k] = draw.uniform(0, 2 * kPi);
  }
  const double rn = m.nucleus_ratio * m.radius;
  const double offset = draw.uniform(0, 0.25) * (m.radius - rn);
  const double offset_angle = draw.uniform(0, 2 * kPi);
  const double nx = g.cx + offset * std::cos(offset_angle), ny = g.cy + offset * std::sin(offset_angle);
  if (m.nucleus_lobes == 1) {
    double aspect = draw.uniform(1.0, tumor_like ? 1.35 : 1.15);
    g.lobes.push_back({nx, ny, rn * std::sqrt(aspect), rn / std::sqrt(aspect), draw.uniform(0, kPi)});
  } else {
    // Lobes strung along an arc, joined where they overlap.
    double start = draw.uniform(0, 2 * kPi), step = draw.uniform(0.9, 1.4);
    double lobe_r = rn * 0.55;
    for (int l = 0; l < m.nucleus_lobes; ++l) {
      double a = start + step * (l - 0.5 * (m.nucleus_lobes - 1));
      double arm = rn * 0.55;
      g.lobes.push_back({nx + arm * std::cos(a), ny + arm * std::sin(a), lobe_r * draw.uniform(0.9, 1.15),
                         lobe_r * draw.uniform(0.75, 0.95), a + draw.uniform(-0.3, 0.3)});
    }
  }
  for (int k = 0; k < m.nucleoli; ++k) {
    double a = draw.uniform(0, 2 * kPi), r = draw.uniform(0, 0.5) * rn;
    double s = draw.uniform(0.08, 0.14) * rn + 1.0;
    g.nucleoli.push_back({nx + r * std::cos(a), ny + r * std::sin(a), s, s * draw.uniform(0.8, 1.0), 0});
  }

  // Imaging: background level and illumination, refraction edge, noise.
  const double background = draw.uniform(0.45, 0.65);
  const double tilt_x = draw.normal(0, 0.04), tilt_y = draw.normal(0, 0.04);
  const double vignette = draw.uniform(0.0, 0.08);
  const double rim = draw.uniform(0.12, 0.28);     // dark ring just inside the edge
  const double halo = draw.uniform(0.06, 0.20);    // bright ring just outside
  const bool defocus_flip = draw.chance(0.2);      // out of focus the rings swap
  const double cytoplasm = draw.uniform(-0.05, 0.04);
  const double nucleus_bf = draw.uniform(0.02, 0.06) * (tumor_like ? 1.2 : 1.0);
  const double noise_sd = draw.uniform(0.006, 0.018);
  const double granularity = own.granularity * draw.uniform(0.7, 1.3);
  ValueNoise illumination(draw, S, 60.0);
  ValueNoise texture(draw, S, 3.0);
  ValueNoise texture_fine(draw, S, 1.5);
  ValueNoise chromatin(draw, S, 2.5);
  ValueNoise chromatin_coarse(draw, S, 6.0);

  m.debris = draw.chance(0.25) ? draw.integer(1, 3) : 0;
  std::vector<Lobe> debris;
  for (int k = 0; k < m.debris; ++k) {
    double a = draw.uniform(0, 2 * kPi), r = draw.uniform(m.radius + 8, 0.48 * static_cast<double>(S));
    double s = draw.uniform(1.5, 4.5);
    debris.push_back({g.cx + r * std::cos(a), g.cy + r * std::sin(a), s, s * draw.uniform(0.5, 1.0),
                      draw.uniform(0, kPi)});
  }
  m.blurred = draw.chance(0.2);
  const double blur_sigma = draw.uniform(0.8, 1.8);
  const double dapi_level = own.dapi_brightness * draw.uniform(0.75, 1.15);
  const double dapi_background = draw.uniform(0.01, 0.04);
  if (!render) return cell;

  cell.bf = Image(1, S, S);
  cell.dapi = Image(1, S, S);
  const double half = 0.5 * static_cast<double>(S);
  for (std::int64_t yi = 0; yi < S; ++yi) {
    for (std::int64_t xi = 0; xi < S; ++xi) {
      const double x = static_cast<double>(xi), y = static_cast<double>(yi);
      const double dx = x - g.cx, dy = y - g.cy;
      const double rho = std::hypot(dx, dy), phi = std::atan2(dy, dx);
      const double d = rho - boundary(g, phi);  // < 0 inside the cell
      const double inside = sigmoid(-d / 0.8);
      const double dn = nucleus_distance(g, x, y);
      const double in_nucleus = sigmoid(-dn / 1.2);
      double in_nucleolus = 0;
      for (const Lobe& l : g.nucleoli) in_nucleolus = std::max(in_nucleolus, sigmoid(-ellipse_distance(l, x, y) / 0.7));

      // Bright field.
      const double r2 = ((x - half) * (x - half) + (y - half) * (y - half)) / (half * half);
      double v = background + tilt_x * (x - half) / half + tilt_y * (y - half) / half - vignette * r2 +
                 0.02 * illumination(x, y);
      double ring_in = -rim * gauss(d + 1.6, 1.3), ring_out = halo * gauss(d - 2.2, 1.8);
      if (defocus_flip) std::swap(ring_in, ring_out), ring_in = -ring_in, ring_out = -ring_out;
      v += ring_in + ring_out;
      v += inside * (cytoplasm + granularity * (0.6 * texture(x, y) + 0.4 * texture_fine(x, y)));
      v += inside * in_nucleus * (-nucleus_bf + 0.012 * chromatin(x, y)) - 0.03 * inside * gauss(dn, 1.0);
      v -= 0.07 * inside * in_nucleolus;
      for (const Lobe& b : debris) {
        double db = ellipse_distance(b, x, y);
        v += -0.18 * sigmoid(-db / 0.6) + 0.06 * gauss(db - 1.2, 0.8);
      }
      cell.bf.at(0, yi, xi) = static_cast<float>(v);

      // DAPI: the nucleus only, chromatin texture, nucleoli dark, a brighter rim.
      double w = dapi_background;
      double chrom = 0.78 + 0.14 * chromatin(x, y) + 0.1 * chromatin_coarse(x, y);
      w += dapi_level * in_nucleus * chrom * (1.0 - 0.45 * in_nucleolus) + 0.08 * dapi_level * gauss(dn + 1.0, 1.2);
      cell.dapi.at(0, yi, xi) = static_cast<float>(w);
    }
  }
  if (m.blurred) gaussian_blur(cell.bf, blur_sigma);
  gaussian_blur(cell.dapi, 0.9);  // fluorescence is never quite sharp
  for (std::int64_t i = 0; i < S * S; ++i) {
    auto k = static_cast<std::size_t>(i);
    cell.bf.pixels[k] = static_cast<float>(std::clamp(cell.bf.pixels[k] + noise_sd * draw.normal(), 0.0, 1.0));
    cell.dapi.pixels[k] =
        static_cast<float>(std::clamp(cell.dapi.pixels[k] + 0.6 * noise_sd * draw.normal(), 0.0, 1.0));
  }
  return cell;
}

}  // namespace

SynthCell synth_cell(std::int64_t index, SynthKind kind, const SynthOptions& options) {
  return generate(index, kind, options, true);
}

SynthCell synth_camera(const SynthCell& scene, std::int64_t index, const SynthOptions& options) {
  CTC_CHECK(options.bit_depth == 8 || options.bit_depth == 16, "synth: bit depth must be 8 or 16, got ",
            options.bit_depth);
  const int camera_bits = options.camera_bits == 0 ? options.bit_depth : options.camera_bits;
  CTC_CHECK(camera_bits >= 8 && camera_bits <= options.bit_depth, "synth: camera bits must be in 8..",
            options.bit_depth, " (the file's bit depth), got ", camera_bits);
  SynthCell out = scene;
  out.bf.bit_depth = out.dapi.bit_depth = options.bit_depth;
  if (camera_bits == options.bit_depth) return out;  // the scene over the whole range, as before
  const double camera_max = std::ldexp(1.0, camera_bits) - 1.0;
  const double file_max = std::ldexp(1.0, options.bit_depth) - 1.0;
  Draws noise(Seed{"synth.camera", static_cast<std::uint64_t>(index), options.seed});
  auto record = [&](Image& image, double gain) {
    for (float& v : image.pixels) {
      const double fraction = SynthCamera::kDarkOffset + gain * v + SynthCamera::kReadNoise * noise.normal();
      const double count = std::clamp(std::nearbyint(fraction * camera_max), 0.0, camera_max);
      v = static_cast<float>(count / file_max);
    }
  };
  record(out.bf, SynthCamera::kBfGain);
  record(out.dapi, SynthCamera::kDapiGain);
  return out;
}

SynthMorphology synth_morphology(std::int64_t index, SynthKind kind, const SynthOptions& options) {
  return generate(index, kind, options, false).morphology;
}

std::vector<CellRecord> synth_dataset(const std::string& out_dir, const SynthOptions& options) {
  std::vector<CellRecord> cells = synth_plan(options);
  namespace fs = std::filesystem;
  fs::create_directories(fs::path(out_dir) / "bf");
  fs::create_directories(fs::path(out_dir) / "dapi");
  std::atomic<std::int64_t> next{0};
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(std::max(1, options.threads)));
  auto work = [&](int t) {
    try {
      for (std::int64_t i = next++; i < static_cast<std::int64_t>(cells.size()); i = next++) {
        const CellRecord& r = cells[static_cast<std::size_t>(i)];
        const SynthCell cell = synth_camera(synth_cell(i, synth_kind_of(r, i, options), options), i, options);
        write_png((fs::path(out_dir) / r.bf).string(), cell.bf, options.bit_depth);
        write_png((fs::path(out_dir) / r.dapi).string(), cell.dapi, options.bit_depth);
      }
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
      next = static_cast<std::int64_t>(cells.size());
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < static_cast<int>(errors.size()); ++t) threads.emplace_back(work, t);
  work(0);
  for (std::thread& th : threads) th.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  write_manifest(out_dir, cells);
  return cells;
}

}  // namespace ctcscope
