// The machine's peak from /proc/cpuinfo's text: threads, the widest vector
// unit its flags name, the highest clock, and a stated peak overriding it.
#include <gtest/gtest.h>

#include "kernels/machine_peak.h"

namespace ctcscope {
namespace {

std::string cpuinfo(const std::string& flags, const std::string& mhz0, const std::string& mhz1) {
  return "processor\t: 0\ncpu MHz\t\t: " + mhz0 + "\nflags\t\t: fpu sse2 " + flags +
         " xsave\n\nprocessor\t: 1\ncpu MHz\t\t: " + mhz1 + "\nflags\t\t: fpu sse2 " + flags + " xsave\n";
}

TEST(MachinePeak, Avx512CoresAtTheirHighestClock) {
  // 2 threads x 2 FMA pipes x 16 lanes x 2 flops x 2.6 GHz.
  const MachinePeak peak = cpu_peak_from_cpuinfo(cpuinfo("avx2 avx512f fma", "2400.000", "2600.000"), 2);
  EXPECT_DOUBLE_EQ(peak.gflops, 2 * 2 * 16 * 2 * 2.6);
  EXPECT_NE(peak.how.find("2 threads"), std::string::npos) << peak.how;
  EXPECT_NE(peak.how.find("16 fp32 lanes (avx512f)"), std::string::npos) << peak.how;
  EXPECT_NE(peak.how.find("2600 MHz"), std::string::npos) << peak.how;
}

TEST(MachinePeak, Avx2HasEightLanesAndAFlagMustMatchWholly) {
  // "avx512fake" is not avx512f.
  const MachinePeak peak = cpu_peak_from_cpuinfo(cpuinfo("avx2 avx512fake", "3000", "3000"), 4);
  EXPECT_DOUBLE_EQ(peak.gflops, 4 * 2 * 8 * 2 * 3.0);
}

TEST(MachinePeak, NoClockIsAnUnknownPeakThatSaysSo) {
  const MachinePeak peak = cpu_peak_from_cpuinfo("processor\t: 0\nflags\t\t: avx2\n", 2);
  EXPECT_EQ(peak.gflops, 0);
  EXPECT_NE(peak.how.find("--peak-gflops"), std::string::npos) << peak.how;
}

TEST(MachinePeak, AStatedPeakWins) {
  const MachinePeak peak = machine_peak(Device::cpu, 123.5);
  EXPECT_DOUBLE_EQ(peak.gflops, 123.5);
  EXPECT_NE(peak.how.find("--peak-gflops"), std::string::npos) << peak.how;
}

}  // namespace
}  // namespace ctcscope
