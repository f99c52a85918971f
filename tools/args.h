// A small command-line parser for the ctcscope command: positional words
// (DATASET_DIR), --name value and --flag options, each declared with its help
// text, so that an unknown or malformed argument gives a clear message and
// every command has --help.
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
  // A flag: --name turns it on; --name=true|false|1|0 sets it (any other value is a usage error).
  void flag(const std::string& name, const std::string& help) { option(name, "", "", help); }
  // A word that is not an option, in declaration order (DATASET_DIR): anywhere
  // among the options. A required one missing is a usage error.
  void positional(const std::string& name, const std::string& help, bool required = true);
  void example(const std::string& line) { examples_.push_back(line); }

  // Throws UsageError on an unknown option, a missing value, or a stray word.
  // Returns false when --help was asked for (the help is already printed).
  bool parse(const std::vector<std::string>& argv);

  std::string get(const std::string& name) const;
  bool has(const std::string& name) const;  // an option given; a flag on
  std::string get_positional(const std::string& name) const;  // "" when an optional one is absent
  std::int64_t get_int(const std::string& name, std::int64_t min, std::int64_t max) const;
  double get_double(const std::string& name, double min, double max) const;
  std::string help() const;

 private:
  struct Option {
    std::string value_name, default_value, help;
  };
  struct Positional {
    std::string name, help;
    bool required;
  };
  void set_flag(const std::string& name, const std::string& value);
  std::string usage_line() const;

  std::string command_, summary_;
  std::vector<Positional> positionals_;
  std::map<std::string, std::string> positional_values_;
  std::vector<std::string> order_;
  std::map<std::string, Option> options_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> examples_;
};

}  // namespace ctcscope::cli
