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

void Args::positional(const std::string& name, const std::string& help, bool required) {
  positionals_.push_back({name, help, required});
}

// A flag's value: --resume=false must not resume.
void Args::set_flag(const std::string& name, const std::string& value) {
  if (value == "true" || value == "1") {
    values_[name] = "1";
  } else if (value == "false" || value == "0") {
    values_.erase(name);
  } else {
    throw UsageError(detail::concat("--", name, " takes true, false, 1 or 0, got '", value, "'"));
  }
}

bool Args::parse(const std::vector<std::string>& argv) {
  std::size_t words = 0;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(help().c_str(), stdout);
      return false;
    }
    if (a.rfind("--", 0) != 0) {
      usage_check(words < positionals_.size() && !a.empty() && a[0] != '-', "unexpected argument '", a,
                  "' (see ctcscope ", command_, " --help)");
      positional_values_[positionals_[words++].name] = a;
      continue;
    }
    std::string name = a.substr(2), value;
    const bool has_value = name.find('=') != std::string::npos;
    if (has_value) {
      value = name.substr(name.find('=') + 1);
      name = name.substr(0, name.find('='));
    }
    auto it = options_.find(name);
    usage_check(it != options_.end(), "unknown option --", name, " (see ctcscope ", command_,
              " --help)");
    if (it->second.value_name.empty()) {
      set_flag(name, has_value ? value : "true");
      continue;
    }
    if (!has_value) {
      usage_check(i + 1 < argv.size(), "--", name, " needs a value (", it->second.value_name, ")");
      value = argv[++i];
    }
    values_[name] = value;
  }
  for (const Positional& p : positionals_) {
    usage_check(!p.required || positional_values_.count(p.name), "missing ", p.name, " (", usage_line(), ")");
  }
  return true;
}

std::string Args::get(const std::string& name) const {
  auto v = values_.find(name);
  if (v != values_.end()) return v->second;
  return options_.at(name).default_value;
}

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }

std::string Args::get_positional(const std::string& name) const {
  auto v = positional_values_.find(name);
  return v == positional_values_.end() ? "" : v->second;
}

std::string Args::usage_line() const {
  std::string line = "ctcscope " + command_;
  for (const Positional& p : positionals_) line += p.required ? " " + p.name : " [" + p.name + "]";
  return line + " [options]";
}

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
  out << "usage: " << usage_line() << "\n\n" << summary_ << "\n\n";
  if (!positionals_.empty()) {
    out << "arguments:\n";
    for (const Positional& p : positionals_) {
      const std::string left = "  " + p.name;
      out << left << std::string(left.size() < 28 ? 28 - left.size() : 1, ' ') << p.help << "\n";
    }
    out << "\n";
  }
  out << "options:\n";
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
