// Shared test helpers.
#include "tests/support/test_util.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "tensor/device.h"

namespace ctcscope::test {

static std::string index_str(const Shape& shape, std::int64_t flat) {
  std::vector<std::int64_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  std::ostringstream out;
  out << '(';
  for (std::size_t d = 0; d < idx.size(); ++d) out << (d ? "," : "") << idx[d];
  out << ')';
  if (shape.size() == 4) out << " as (n,c,h,w)";
  return out.str();
}

void expect_close(const Tensor& got, const Tensor& ref, Tolerance tol, const std::string& what) {
  ASSERT_TRUE(got.defined() && ref.defined()) << what << ": undefined tensor";
  ASSERT_EQ(got.shape(), ref.shape()) << what << ": shapes " << got.shape_str() << " vs "
                                      << ref.shape_str();
  double worst_share = -1;
  std::int64_t worst = -1;
  std::int64_t failures = 0;
  for (std::int64_t i = 0; i < got.numel(); ++i) {
    double g = got.item(i), r = ref.item(i);
    double limit = tol.atol + tol.rtol * std::fabs(r);
    double err = std::fabs(g - r);
    double share = std::isnan(err) ? INFINITY : err / limit;
    if (std::isnan(g) != std::isnan(r)) share = INFINITY;
    if (std::isnan(g) && std::isnan(r)) share = 0;
    if (share > 1) ++failures;
    if (share > worst_share) {
      worst_share = share;
      worst = i;
    }
  }
  if (failures > 0) {
    ADD_FAILURE() << what << ": " << failures << " of " << got.numel()
                  << " elements outside atol=" << tol.atol << " rtol=" << tol.rtol
                  << "; worst at " << index_str(got.shape(), worst) << ": got " << got.item(worst)
                  << ", expected " << ref.item(worst) << " (" << worst_share
                  << "x the limit)";
  }
}

Tensor numeric_gradient(Tensor& x, const std::function<double()>& f, double h) {
  EXPECT_EQ(x.dtype(), DType::f64) << "finite differences need f64";
  Tensor g = Tensor::zeros(x.shape(), DType::f64);
  double* px = x.data<double>();
  double* pg = g.data<double>();
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    double saved = px[i];
    px[i] = saved + h;
    double fp = f();
    px[i] = saved - h;
    double fm = f();
    px[i] = saved;
    pg[i] = (fp - fm) / (2 * h);
  }
  return g;
}

double dot(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.numel(), b.numel());
  double s = 0;
  for (std::int64_t i = 0; i < a.numel(); ++i) s += a.item(i) * b.item(i);
  return s;
}

Tensor random_away_from_zero(const Shape& shape, const Seed& seed, double margin) {
  Tensor t = random_normal(shape, seed, 0.0, 1.0, DType::f64);
  double* p = t.data<double>();
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    if (std::fabs(p[i]) < margin) p[i] = p[i] < 0 ? p[i] - margin : p[i] + margin;
  }
  return t;
}

void expect_error_containing(const std::function<void()>& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no error thrown, expected one containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

std::string cuda_skip_reason() {
  std::string why;
  if (cuda_device_count(&why) > 0) return "";
  return why;
}

void expect_relative_error(const Tensor& got, const Tensor& ref, double max_relative,
                           const std::string& what) {
  ASSERT_TRUE(got.defined() && ref.defined()) << what << ": undefined tensor";
  ASSERT_EQ(got.shape(), ref.shape()) << what << ": shapes " << got.shape_str() << " vs "
                                      << ref.shape_str();
  double worst = 0, scale = 0;
  std::int64_t at = 0;
  for (std::int64_t i = 0; i < got.numel(); ++i) {
    const double g = got.item(i), r = ref.item(i);
    scale = std::fmax(scale, std::fabs(r));
    const double e = std::isnan(g) != std::isnan(r) ? INFINITY : (std::isnan(r) ? 0.0 : std::fabs(g - r));
    if (e > worst || std::isnan(e)) {
      worst = e;
      at = i;
    }
  }
  const double rel = scale > 0 ? worst / scale : worst;
  EXPECT_LE(rel, max_relative) << what << ": relative error " << rel << " (max |diff| " << worst
                               << " at " << index_str(got.shape(), at) << ": got " << got.item(at)
                               << ", expected " << ref.item(at) << "; max |ref| " << scale << ")";
}

// Runs at exit in the process that made the root (a forked child that calls
// exit() must not remove its parent's folder). The UnitTest singleton outlives
// this handler: it was constructed before any test ran, so its destructor was
// registered with atexit before this one and runs after it.
static std::string* g_scratch_root = nullptr;
static pid_t g_scratch_owner = 0;

static void remove_scratch_root() {
  if (g_scratch_root == nullptr || ::getpid() != g_scratch_owner) return;
  if (::testing::UnitTest::GetInstance()->Failed() || std::getenv("CTC_KEEP_TEST_DIRS") != nullptr) {
    std::fprintf(stderr, "test files kept in %s\n", g_scratch_root->c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(*g_scratch_root, ec);
}

std::filesystem::path scratch_root() {
  static const bool made = [] {  // once per process, thread-safe
    g_scratch_owner = ::getpid();
    g_scratch_root = new std::string(
        (std::filesystem::temp_directory_path() / ("ctcscope_test_" + std::to_string(g_scratch_owner))).string());
    std::filesystem::remove_all(*g_scratch_root);  // a recycled pid's leftovers
    std::filesystem::create_directories(*g_scratch_root);
    return std::atexit(remove_scratch_root) == 0;
  }();
  (void)made;
  return *g_scratch_root;
}

std::string fresh_test_dir(const std::string& prefix) {
  namespace fs = std::filesystem;
  const fs::path d = scratch_root() / (prefix + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

std::string python() {
  const char* p = std::getenv("CTC_PYTHON");
  return p != nullptr && p[0] != '\0' ? p : "/usr/bin/python3";
}

}  // namespace ctcscope::test
