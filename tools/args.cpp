// The command-line parser.
#include "tools/args.h"

#include <charconv>
#include <cstdio>
#include <sstream>


namespace ctcscope::cli {

Args::Args(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

void Args::option(const std::string& name, const std::string& value_name,
                  const std::string& default_value, const std::string& help) {
  order_.push_back(name);
  options_[name] = {value_name, default_value, help};
}

bool Args::parse(const std::vector<std::string>& argv) {
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(help().c_str(), stdout);
      return false;
    }
    usage_check(a.rfind("--", 0) == 0, "unexpected argument '", a, "' (see ctcscope ",
              command_, " --help)");
    std::string name = a.substr(2), value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto it = options_.find(name);
    usage_check(it != options_.end(), "unknown option --", name, " (see ctcscope ", command_,
              " --help)");
    if (it->second.value_name.empty()) {
      values_[name] = "1";
      continue;
    }
    if (a.find('=') == std::string::npos) {
      usage_check(i + 1 < argv.size(), "--", name, " needs a value (", it->second.value_name, ")");
      value = argv[++i];
    }
    values_[name] = value;
  }
  return true;
}

std::string Args::get(const std::string& name) const {
  auto v = values_.find(name);
  if (v != values_.end()) return v->second;
  return options_.at(name).default_value;
}

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }

std::int64_t Args::get_int(const std::string& name, std::int64_t min, std::int64_t max) const {
  std::string s = get(name);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  usage_check(ec == std::errc() && end == s.data() + s.size(), "--", name,
            " must be an integer, got '", s, "'");
  usage_check(v >= min && v <= max, "--", name, " must be in [", min, ", ", max, "], got ", v);
  return v;
}

double Args::get_double(const std::string& name, double min, double max) const {
  std::string s = get(name);
  double v = 0;
  std::size_t used = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  usage_check(used == s.size() && !s.empty(), "--", name, " must be a number, got '", s, "'");
  usage_check(v >= min && v <= max, "--", name, " must be in [", min, ", ", max, "], got ", v);
  return v;
}

std::string Args::help() const {
  std::ostringstream out;
  out << "usage: ctcscope " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
  for (const auto& name : order_) {
    const Option& o = options_.at(name);
    std::string left = "  --";
    left += name;
    if (!o.value_name.empty()) left.append(" ").append(o.value_name);
    out << left << std::string(left.size() < 28 ? 28 - left.size() : 1, ' ') << o.help;
    if (!o.default_value.empty()) out << " (default " << o.default_value << ")";
    out << "\n";
  }
  out << "  --help                    this text\n";
  if (!examples_.empty()) {
    out << "\nexamples:\n";
    for (const auto& e : examples_) out << "  " << e << "\n";
  }
  return out.str();
}

}  // namespace ctcscope::cli
