// The intensity stage: option parsing, the per-image map, percentiles.
#include "data/intensity.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <vector>

#include "base/error.h"
#include "base/split_list.h"

namespace ctcscope {
namespace {

constexpr const char* kForms =
    "percentile[:LO:HI], dataset[:LO:HI], range:LO:HI or none (LO, HI percentiles 0..100 for percentile and "
    "dataset, counts for range)";

double parse_number(const std::string& text, const std::string& whole) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  CTC_CHECK_INPUT(ec == std::errc{} && end == text.data() + text.size() && std::isfinite(v), "intensity '", whole,
            "': '", text, "' is not a number; expected ", kForms);
  return v;
}

std::string number(double v) {
  std::ostringstream out;
  out.precision(9);
  out << v;
  return out.str();
}

// "bf=LOW:HIGH" or "dapi=LOW:HIGH" into levels[channel].
void parse_levels(const std::string& part, const std::string& whole, std::array<IntensityLevels, 2>& levels) {
  const std::size_t eq = part.find('=');
  const std::string name = part.substr(0, eq);
  CTC_CHECK_INPUT(eq != std::string::npos && (name == "bf" || name == "dapi"), "intensity '", whole, "': '", part,
            "' is not bf=LOW:HIGH or dapi=LOW:HIGH");
  const auto pair = split_list(part.substr(eq + 1), ':');
  CTC_CHECK_INPUT(pair.size() == 2, "intensity '", whole, "': '", part, "' is not ", name, "=LOW:HIGH");
  levels[name == "bf" ? 0 : 1] = {parse_number(pair[0], whole), parse_number(pair[1], whole)};
}

}  // namespace

const char* intensity_mode_name(IntensityMode mode) {
  switch (mode) {
    case IntensityMode::none: return "none";
    case IntensityMode::percentile: return "percentile";
    case IntensityMode::dataset: return "dataset";
    case IntensityMode::range: return "range";
  }
  return "?";
}

std::string Intensity::spec() const {
  if (mode == IntensityMode::none) return "none";
  return std::string(intensity_mode_name(mode)) + ":" + number(low) + ":" + number(high);
}

std::string Intensity::str() const {
  if (mode != IntensityMode::dataset || !fitted) return spec();
  return spec() + ";bf=" + number(levels[0].low) + ":" + number(levels[0].high) + ";dapi=" +
         number(levels[1].low) + ":" + number(levels[1].high);
}

Intensity parse_intensity(const std::string& text) {
  const auto sections = split_list(text, ';');
  CTC_CHECK_INPUT(!sections.empty(), "intensity: empty value; expected ", kForms);
  const auto parts = split_list(sections[0], ':');
  Intensity out;
  const std::string& name = parts[0];
  bool known = false;
  for (IntensityMode m : {IntensityMode::none, IntensityMode::percentile, IntensityMode::dataset, IntensityMode::range}) {
    if (name == intensity_mode_name(m)) out.mode = m, known = true;
  }
  CTC_CHECK_INPUT(known, "intensity '", text, "': unknown mode '", name, "'; expected ", kForms);
  if (out.mode == IntensityMode::none) {
    CTC_CHECK_INPUT(parts.size() == 1 && sections.size() == 1, "intensity '", text, "': none takes no values");
    return out;
  }
  if (out.mode == IntensityMode::range) {
    CTC_CHECK_INPUT(parts.size() == 3, "intensity '", text, "': range needs its counts, range:LO:HI (range:0:4095 for a "
              "12-bit camera)");
  } else {
    CTC_CHECK_INPUT(parts.size() == 1 || parts.size() == 3, "intensity '", text, "': expected ", name, " or ", name,
              ":LO:HI");
  }
  if (parts.size() == 3) {
    out.low = parse_number(parts[1], text);
    out.high = parse_number(parts[2], text);
  }
  CTC_CHECK_INPUT(out.low < out.high, "intensity '", text, "': LO must be below HI");
  if (out.mode != IntensityMode::range) {
    CTC_CHECK_INPUT(out.low >= 0 && out.high <= 100, "intensity '", text, "': percentiles must lie in 0..100");
  } else {
    CTC_CHECK_INPUT(out.low >= 0 && out.high <= 65535, "intensity '", text, "': counts must lie in 0..65535");
  }
  if (sections.size() > 1) {
    CTC_CHECK_INPUT(out.mode == IntensityMode::dataset && sections.size() == 3, "intensity '", text,
              "': only dataset mode carries fitted levels, as ;bf=LOW:HIGH;dapi=LOW:HIGH");
    parse_levels(sections[1], text, out.levels);
    parse_levels(sections[2], text, out.levels);
    out.fitted = true;
  }
  return out;
}

double sample_percentile(std::vector<float> samples, double percent) {
  CTC_CHECK(!samples.empty(), "sample_percentile: no samples");
  const double rank = std::clamp(percent, 0.0, 100.0) / 100.0 * static_cast<double>(samples.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, samples.size() - 1);
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(below), samples.end());
  const double lo = samples[below];
  double hi = lo;
  if (above != below) hi = *std::min_element(samples.begin() + static_cast<std::ptrdiff_t>(above), samples.end());
  return lo + (rank - static_cast<double>(below)) * (hi - lo);
}

IntensityLevels image_levels(const Image& image, const Intensity& intensity, int channel_index) {
  switch (intensity.mode) {
    case IntensityMode::none: return {0.0, 1.0};
    case IntensityMode::percentile:
      return {sample_percentile(image.pixels, intensity.low), sample_percentile(image.pixels, intensity.high)};
    case IntensityMode::range: {
      CTC_CHECK(image.bit_depth > 0, "intensity range: the image has no bit depth to read counts in");
      const double max_count = std::ldexp(1.0, image.bit_depth) - 1.0;
      return {intensity.low / max_count, intensity.high / max_count};
    }
    case IntensityMode::dataset:
      CTC_CHECK(intensity.fitted, "intensity dataset: levels not fitted on the training cells");
      CTC_CHECK(channel_index == 0 || channel_index == 1, "intensity dataset: channel ", channel_index);
      return intensity.levels[static_cast<std::size_t>(channel_index)];
  }
  return {0.0, 1.0};
}

Image apply_intensity(const Image& image, const Intensity& intensity, int channel_index) {
  if (intensity.mode == IntensityMode::none) return image;
  const IntensityLevels levels = image_levels(image, intensity, channel_index);
  Image out = image;
  // A constant image (or channel) carries no contrast to stretch: mid-gray,
  // rather than a division by zero.
  if (!(levels.high > levels.low)) {
    std::fill(out.pixels.begin(), out.pixels.end(), 0.5f);
    return out;
  }
  const double scale = 1.0 / (levels.high - levels.low);
  for (float& v : out.pixels) {
    v = static_cast<float>(std::clamp((static_cast<double>(v) - levels.low) * scale, 0.0, 1.0));
  }
  return out;
}

}  // namespace ctcscope
