// The profiler's report (layers/profiler.h): a text table of the layers
// sorted by time, with a total line and the share of time per layer kind, and
// the same rows as CSV. Times and amounts are per step (the model's forward
// calls), rates from the totals.
#pragma once

#include <cstddef>
#include <limits>
#include <string>

#include "kernels/machine_peak.h"
#include "layers/profiler.h"

namespace ctcscope {

// layer, kind, shape, calls, fwd ms, bwd ms, GFLOP, GB, GFLOP/s, % of peak,
// GB/s; the `max_rows` slowest rows, then the total over every row, then the
// time per kind. Headed by what was profiled and how the peak was found.
std::string profile_table(const ProfileResult& result, const MachinePeak& peak,
                          std::size_t max_rows = std::numeric_limits<std::size_t>::max());

// The CSV header and one line per row, slowest first, then the total (kind
// "total"): layer,kind,input_shape,calls,forward_ms,backward_ms,gflop,gbytes,
// gflop_per_s,percent_of_peak,gbytes_per_s (per step; percent empty when the
// peak is unknown).
std::string profile_csv(const ProfileResult& result, const MachinePeak& peak);
// profile_csv to `path`, atomically.
void write_profile_csv(const std::string& path, const ProfileResult& result, const MachinePeak& peak);

}  // namespace ctcscope
