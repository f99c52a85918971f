// ctcscope export: a checkpoint as a torchvision state_dict for PyTorch users.
#include <cstdio>
#include <string>

#include "train/torchvision_export.h"
#include "tools/commands.h"

namespace ctcscope::cli {

int run_export(const Argv& argv) {
  Args args("export",
            "Writes a checkpoint's weights as a torchvision state_dict (torchvision's names, the\n"
            "checkpoint's 2-class head) to OUT.pth (torch.save's format) or OUT.safetensors, and\n"
            "OUT.json beside it: how to feed the network as ctcscope does (input size, channel,\n"
            "intensity mode with its levels, resizing, normalisation, classes). In PyTorch:\n"
            "  m = torchvision.models.resnet50(num_classes=2)\n"
            "  m.load_state_dict(torch.load('OUT.pth'))   # or safetensors.torch.load_file('OUT.safetensors')");
  args.option("format", "NAME", "torchvision", "the export format (torchvision, the only one)");
  args.example("ctcscope export runs/r50/best.safetensors --format torchvision r50_ctc.pth");
  args.example("ctcscope export runs/r50/best.safetensors --format torchvision r50_ctc.safetensors");
  args.positional("CHECKPOINT", "a .safetensors checkpoint (a run's best.safetensors)");
  args.positional("OUT", "the state_dict file to write, *.pth or *.safetensors (OUT.json beside it)");
  if (!args.parse(argv)) return 0;
  usage_check(args.get("format") == "torchvision", "--format '", args.get("format"),
              "' is not known (torchvision is the only format)");
  const ExportedFiles files = export_torchvision(args.get_positional("CHECKPOINT"), args.get_positional("OUT"));
  std::printf("export: wrote %s (torchvision state_dict) and %s (preprocessing)\n", files.weights.c_str(),
              files.preprocessing.c_str());
  return 0;
}

}  // namespace ctcscope::cli
