// The machine's peak fp32 rate (kernels/machine_peak.h), from /proc/cpuinfo
// and the CPU thread count, or the GPU's attributes.
#include "kernels/machine_peak.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "kernels/cpu/context.h"

#ifdef CTC_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace ctcscope {

namespace {

// The value after "key<spaces/tabs>:" on each line of `text` that starts with key.
std::vector<std::string> cpuinfo_values(const std::string& text, const std::string& key) {
  std::vector<std::string> values;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key, 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || line.find_first_not_of(" \t", key.size()) != colon) continue;
    values.push_back(line.substr(colon + 1));
  }
  return values;
}

bool has_flag(const std::string& flags, const std::string& flag) {
  std::istringstream words(flags);
  return std::find(std::istream_iterator<std::string>(words), std::istream_iterator<std::string>(), flag) !=
         std::istream_iterator<std::string>();
}

std::string number(double v, int precision) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(precision);
  out << v;
  return out.str();
}

}  // namespace

MachinePeak cpu_peak_from_cpuinfo(const std::string& cpuinfo, int threads) {
  constexpr int kFmaPipes = 2;  // Zen 4/5 and recent Intel cores; /proc/cpuinfo does not say
  const std::vector<std::string> flags = cpuinfo_values(cpuinfo, "flags");
  const std::string first_flags = flags.empty() ? "" : flags.front();
  const bool avx512 = has_flag(first_flags, "avx512f"), avx2 = has_flag(first_flags, "avx2");
  const int lanes = avx512 ? 16 : avx2 ? 8 : 4;
  const char* isa = avx512 ? "avx512f" : avx2 ? "avx2" : "no avx2 or avx512f: sse";
  double mhz = 0;
  for (const std::string& v : cpuinfo_values(cpuinfo, "cpu MHz")) mhz = std::max(mhz, std::atof(v.c_str()));
  MachinePeak peak;
  if (mhz <= 0) {
    peak.how = "unknown: /proc/cpuinfo gives no 'cpu MHz' (give --peak-gflops)";
    return peak;
  }
  peak.gflops = threads * kFmaPipes * lanes * 2.0 * mhz / 1000.0;
  peak.how = std::to_string(threads) + " threads x " + std::to_string(kFmaPipes) + " FMA pipes (assumed) x " +
             std::to_string(lanes) + " fp32 lanes (" + isa + ") x 2 flops x " + number(mhz, 0) +
             " MHz (/proc/cpuinfo cpu MHz) = " + number(peak.gflops, 1) + " GFLOP/s";
  return peak;
}

MachinePeak cpu_peak() {
  std::ifstream in("/proc/cpuinfo");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return cpu_peak_from_cpuinfo(text, cpu::num_threads());
}

MachinePeak gpu_peak() {
  MachinePeak peak;
  peak.how = "unknown: no CUDA GPU (give --peak-gflops)";
#ifdef CTC_WITH_CUDA
  if (!cuda_available()) return peak;
  int sms = 0, khz = 0, major = 0, minor = 0;
  if (cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0) != cudaSuccess ||
      cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0) != cudaSuccess ||
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0) != cudaSuccess ||
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0) != cudaSuccess) {
    peak.how = "unknown: the GPU's attributes could not be read (give --peak-gflops)";
    return peak;
  }
  const bool narrow_sm = (major == 6 && minor == 0) || major == 7 || (major == 8 && minor == 0);
  const int lanes = narrow_sm ? 64 : 128;
  const double mhz = khz / 1000.0;
  peak.gflops = sms * lanes * 2.0 * mhz / 1000.0;
  peak.how = std::to_string(sms) + " SMs x " + std::to_string(lanes) + " fp32 lanes (compute capability " +
             std::to_string(major) + "." + std::to_string(minor) + ") x 2 flops x " + number(mhz, 0) +
             " MHz = " + number(peak.gflops, 1) + " GFLOP/s (plain fp32; TF32 tensor cores can exceed it)";
#endif
  return peak;
}

MachinePeak machine_peak(Device device, double stated_gflops) {
  if (stated_gflops > 0) return {stated_gflops, number(stated_gflops, 1) + " GFLOP/s (--peak-gflops)"};
  return device == Device::cuda ? gpu_peak() : cpu_peak();
}

}  // namespace ctcscope
