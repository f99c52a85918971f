// The ctcscope command: picks the subcommand and turns errors into a message
// and an exit status: 1 for a failed run (ctcscope::Error), 2 for bad usage.
#include <cstdio>
#include <string>

#include "tools/commands.h"

namespace {

void print_usage() {
  using namespace ctcscope::cli;
  std::printf("ctcscope %s: tells circulating tumor cells from leukocytes in bright-field images\n\n"
              "usage: ctcscope <command> [options]    (ctcscope <command> --help for each)\n\ncommands:\n",
              kVersion);
  for (const Command& c : kCommands) std::printf("  %-12s %s\n", c.name, c.summary);
  std::printf("  %-12s %s\n", "version", "print the version");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ctcscope::cli;
  Argv args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage();
    return args.empty() ? 2 : 0;
  }
  const std::string name = args[0];
  args.erase(args.begin());
  if (name == "version" || name == "--version") {
    std::printf("ctcscope %s\n", kVersion);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    try {
      return c.run(args);
    } catch (const UsageError& e) {
      std::fprintf(stderr, "ctcscope %s: %s\n", c.name, e.what());
      return 2;
    } catch (const ctcscope::Error& e) {
      std::fprintf(stderr, "ctcscope %s: error: %s\n", c.name, e.what());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ctcscope %s: unexpected error: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "ctcscope: unknown command '%s' (see ctcscope --help)\n", name.c_str());
  return 2;
}
