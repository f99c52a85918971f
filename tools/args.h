// A small command-line parser for the ctcscope command: --name value and
// --flag options, each declared with its help text, so that an unknown or
// malformed argument gives a clear message and every command has --help.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/error.h"

namespace ctcscope::cli {

// Bad usage of the command line: the command prints it and exits with 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

template <class... Parts>
void usage_check(bool ok, const Parts&... parts) {
  if (!ok) throw UsageError(detail::concat(parts...));
}

class Args {
 public:
  Args(std::string command, std::string summary);

  // Declare before parse(). `value_name` empty means a flag without a value.
  void option(const std::string& name, const std::string& value_name, const std::string& default_value,
              const std::string& help);
  void flag(const std::string& name, const std::string& help) { option(name, "", "", help); }
  void example(const std::string& line) { examples_.push_back(line); }

  // Throws UsageError on an unknown option, a missing value, or a stray word.
  // Returns false when --help was asked for (the help is already printed).
  bool parse(const std::vector<std::string>& argv);

  std::string get(const std::string& name) const;
  bool has(const std::string& name) const;  // a flag given
  std::int64_t get_int(const std::string& name, std::int64_t min, std::int64_t max) const;
  double get_double(const std::string& name, double min, double max) const;
  std::string help() const;

 private:
  struct Option {
    std::string value_name, default_value, help;
  };
  std::string command_, summary_;
  std::vector<std::string> order_;
  std::map<std::string, Option> options_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> examples_;
};

}  // namespace ctcscope::cli
