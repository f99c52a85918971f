// --threads N: the CPU thread count of a command.
#include "kernels/cpu/context.h"
#include "tools/commands.h"

namespace ctcscope::cli {

void add_threads_option(Args& args) {
  args.option("threads", "N", "", "CPU threads (default: OMP_NUM_THREADS or all cores)");
}

void apply_threads_option(const Args& args) {
  if (!args.get("threads").empty()) cpu::set_num_threads(static_cast<int>(args.get_int("threads", 1, 1024)));
}

}  // namespace ctcscope::cli
