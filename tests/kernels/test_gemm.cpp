// The packed GEMM (kernels/cpu/gemm.h) against a plain double sum, on sizes
// off every panel and block (rows not a multiple of 8, columns not of 48, depth
// across several 256-deep blocks, B's last panel one to three vectors wide),
// with either operand a transposed view or A read in place, with and without
// accumulating into C; and the same bits however its columns and packing are
// split between threads, packed A or not; and the same bits from each of its
// paths (plain, AVX2, AVX-512) that this CPU has, a path it lacks skipped by
// name.
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/cpu/gemm.h"

namespace ctcscope::cpu {
namespace {

// The f32 sum of k products against the double one, as a share of the sum of
// |products| (the most rounding could move it): k = 700 unit-uniform products
// round to about 1e-7 of that; a skipped or doubled block is off by order 1.
constexpr double kRelativeToAbsSum = 1e-5;

struct GemmCase {
  std::int64_t m, n, k;
  bool a_transposed, b_transposed, accumulate;
  bool a_in_place = false;  // gemm_rows (A stored as rows) instead of gemm_packed
};

std::vector<float> random_values(std::int64_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float& x : v) x = u(rng);
  return v;
}

// C from gemm_packed: operands stored as the case says, packed, multiplied.
std::vector<float> run_gemm(const GemmCase& t, const std::vector<float>& a, const std::vector<float>& b,
                            std::vector<float> c, std::int64_t ldc, int threads) {
  // A(i,k) is a[i*k + k] stored as rows, or a[k*m + i] stored transposed.
  const std::int64_t a_rs = t.a_transposed ? 1 : t.k, a_cs = t.a_transposed ? t.m : 1;
  const std::int64_t b_rs = t.b_transposed ? 1 : t.n, b_cs = t.b_transposed ? t.k : 1;
  std::vector<float> pa(packed_a_size(t.m, t.k)), pb(packed_b_size(t.k, t.n));
  pack_b(t.k, t.n, b.data(), b_rs, b_cs, pb.data(), threads);
  if (t.a_in_place) {  // rows as stored, not packed
    gemm_rows(t.m, t.n, t.k, a.data(), a_rs, pb.data(), c.data(), ldc, t.accumulate, threads);
    return c;
  }
  pack_a(t.m, t.k, a.data(), a_rs, a_cs, pa.data(), threads);
  gemm_packed(t.m, t.n, t.k, pa.data(), pb.data(), c.data(), ldc, t.accumulate, threads);
  return c;
}

// The paths this CPU has, each set in turn; the best is restored at the end.
class EachPath {
 public:
  EachPath() {
    for (GemmPath path : {GemmPath::plain, GemmPath::avx2, GemmPath::avx512}) {
      if (gemm_path_supported(path)) {
        paths_.push_back(path);
      } else {
        std::printf("[ note ] this CPU has no %s path: not tested here\n", gemm_path_name(path));
      }
    }
  }
  ~EachPath() { set_gemm_path(best_); }
  const std::vector<GemmPath>& paths() const { return paths_; }

 private:
  GemmPath best_ = gemm_path();
  std::vector<GemmPath> paths_;
};

std::string name(const GemmCase& t) {
  return std::to_string(t.m) + "x" + std::to_string(t.n) + "x" + std::to_string(t.k) +
         (t.a_transposed ? " A^T" : "") + (t.b_transposed ? " B^T" : "") + (t.accumulate ? " +=" : "") +
         (t.a_in_place ? " A in place" : "");
}

TEST(Gemm, MatchesDoubleSumOnAwkwardSizes) {
  const GemmCase cases[] = {
      {1, 1, 1, false, false, false},    {7, 47, 3, false, false, false},   {8, 48, 256, false, false, false},
      {9, 49, 257, false, false, true},  {13, 100, 700, true, false, false}, {21, 95, 300, false, true, true},
      {64, 144, 513, true, true, false}, {3, 200, 40, false, true, false},
      // B's last panel one and two vectors wide; A read in place, rows past a panel's end included.
      {8, 16, 5, false, false, false},   {10, 65, 20, false, false, true},  {5, 81, 300, false, false, false, true},
      {19, 30, 600, false, true, true, true}, {1, 17, 3, false, false, false, true},
  };
  EachPath each;
  for (GemmPath path : each.paths())
  for (const GemmCase& t : cases) {
    ASSERT_TRUE(set_gemm_path(path));
    SCOPED_TRACE(name(t) + " on the " + gemm_path_name(path) + " path");
    const std::int64_t ldc = t.n + 5;  // C rows with a gap, which must stay untouched
    const std::vector<float> a = random_values(t.m * t.k, 1), b = random_values(t.k * t.n, 2);
    const std::vector<float> c0 = random_values(t.m * ldc, 3);
    const std::vector<float> c = run_gemm(t, a, b, c0, ldc, 1);
    for (std::int64_t i = 0; i < t.m; ++i) {
      for (std::int64_t j = 0; j < ldc; ++j) {
        const std::int64_t e = i * ldc + j;
        if (j >= t.n) {
          ASSERT_EQ(c[e], c0[e]) << "gap written at " << i << "," << j;
          continue;
        }
        double sum = t.accumulate ? c0[e] : 0.0, abs_sum = std::abs(sum);
        for (std::int64_t kk = 0; kk < t.k; ++kk) {
          const double av = t.a_transposed ? a[kk * t.m + i] : a[i * t.k + kk];
          const double bv = t.b_transposed ? b[j * t.k + kk] : b[kk * t.n + j];
          sum += av * bv;
          abs_sum += std::abs(av * bv);
        }
        ASSERT_LE(std::abs(c[e] - sum), kRelativeToAbsSum * abs_sum) << "at " << i << "," << j;
      }
    }
  }
}

TEST(Gemm, SameBitsOnAnyThreadCount) {
  const GemmCase t{37, 500, 600, false, true, true};
  const std::vector<float> a = random_values(t.m * t.k, 4), b = random_values(t.k * t.n, 5);
  const std::vector<float> c0 = random_values(t.m * t.n, 6);
  const std::vector<float> one = run_gemm(t, a, b, c0, t.n, 1);
  for (int threads : {2, 3, 7}) EXPECT_EQ(run_gemm(t, a, b, c0, t.n, threads), one) << threads << " threads";
  // A read in place gives the packed result's bits too.
  GemmCase in_place = t;
  in_place.a_in_place = true;
  EXPECT_EQ(run_gemm(in_place, a, b, c0, t.n, 2), one) << "A in place";
}

TEST(Gemm, SameBitsOnEveryPath) {
  EachPath each;
  const GemmCase cases[] = {{37, 500, 600, false, true, true}, {13, 81, 300, true, false, false},
                            {21, 95, 300, false, false, false, true}, {6, 20, 7, false, false, true, true}};
  for (const GemmCase& t : cases) {
    SCOPED_TRACE(name(t));
    const std::vector<float> a = random_values(t.m * t.k, 7), b = random_values(t.k * t.n, 8);
    const std::vector<float> c0 = random_values(t.m * t.n, 9);
    ASSERT_TRUE(set_gemm_path(GemmPath::plain));
    const std::vector<float> plain = run_gemm(t, a, b, c0, t.n, 2);
    for (GemmPath path : each.paths()) {
      ASSERT_TRUE(set_gemm_path(path));
      EXPECT_EQ(run_gemm(t, a, b, c0, t.n, 2), plain) << gemm_path_name(path) << " against plain";
    }
  }
}

TEST(Gemm, ZeroDepthAssignsZeroOrKeepsC) {
  std::vector<float> c = {1, 2, 3, 4};
  gemm_packed(2, 2, 0, nullptr, nullptr, c.data(), 2, true);
  EXPECT_EQ(c, (std::vector<float>{1, 2, 3, 4}));
  gemm_packed(2, 2, 0, nullptr, nullptr, c.data(), 2, false);
  EXPECT_EQ(c, (std::vector<float>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace ctcscope::cpu
