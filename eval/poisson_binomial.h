// The number of CTCs among a sample's cells, from each cell's calibrated
// probability p_i: if the cells are independent Bernoulli(p_i) trials, the
// count is Poisson-binomial, with mean sum p_i and variance sum p_i (1 - p_i).
// Its central interval is what a per-sample report gives beside the count of
// cells called CTC at the operating point.
#pragma once

#include <cstdint>
#include <vector>

namespace ctcscope {

// P(count = k) for k = 0..n, by the exact recurrence over the cells
// (O(n^2) time, O(n) memory). Every p must be in [0, 1].
std::vector<double> poisson_binomial_pmf(const std::vector<double>& p);

// Up to this many cells the interval is exact; beyond, the O(n^2) recurrence
// would take seconds per sample and the normal approximation is good (the
// count sums thousands of independent terms).
inline constexpr std::size_t kMaxExactIntervalCells = 20000;

struct ExpectedCount {
  double expected = 0;       // sum p_i
  double sd = 0;             // sqrt(sum p_i (1 - p_i))
  std::int64_t low = 0, high = 0;  // the central interval (integer counts)
  bool exact = true;         // Poisson-binomial quantiles, else the normal approximation
};

// The expected count and its central interval of coverage `level` (0.95):
// low the smallest k with P(count <= k) >= (1 - level) / 2 and high the
// smallest k with P(count <= k) >= (1 + level) / 2; beyond
// kMaxExactIntervalCells, expected -+ z sd rounded outward into [0, n].
ExpectedCount expected_count(const std::vector<double>& p, double level = 0.95);

}  // namespace ctcscope
