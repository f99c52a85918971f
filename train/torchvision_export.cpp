// Writing a checkpoint's state_dict and preprocessing for PyTorch.
#include "train/torchvision_export.h"

#include "base/error.h"
#include "base/file_util.h"
#include "base/json_writer.h"
#include "formats/state_dict.h"
#include "train/checkpoint_eval.h"

namespace ctcscope {

namespace {

void write_intensity(JsonWriter& w, const Intensity& intensity) {
  w.begin_object();
  w.key("mode").string(intensity_mode_name(intensity.mode));
  w.key("spec").string(intensity.str());
  if (intensity.mode == IntensityMode::percentile || intensity.mode == IntensityMode::dataset) {
    w.key("low_percentile").number(intensity.low).key("high_percentile").number(intensity.high);
  }
  if (intensity.mode == IntensityMode::range) {
    w.key("low_count").number(intensity.low).key("high_count").number(intensity.high);
  }
  if (intensity.mode == IntensityMode::dataset) {
    // In [0, 1] sample units (count / (2^bits - 1)) of each channel's images.
    w.key("levels").begin_object();
    for (Channel channel : {Channel::bf, Channel::dapi}) {
      const IntensityLevels& l = intensity.levels[static_cast<std::size_t>(channel)];
      w.key(channel_name(channel)).begin_array().number(l.low).number(l.high).end_array();
    }
    w.end_object();
  }
  w.key("rule").string(
      "x = sample / (2^bits - 1); low, high as the mode says (percentile: the image's own percentiles, "
      "linear interpolation as numpy.percentile; dataset: the levels; range: counts / (2^bits - 1)); "
      "x' = clip((x - low) / (high - low), 0, 1), or 0.5 everywhere where high <= low; none: x' = x");
  w.end_object();
}

}  // namespace

std::string torchvision_preprocessing_json(const CheckpointInfo& info, const std::string& checkpoint) {
  const CellImageSettings images = checkpoint_images(info, checkpoint);
  const Channel channel = main_channel(checkpoint_ablation(info));
  const ImageReadOptions& read = images.read_options(channel);
  JsonWriter w;
  w.begin_object();
  w.key("source").string(checkpoint);
  w.key("architecture").string(info.architecture);
  w.key("torchvision").string("torchvision.models." + info.architecture + "(num_classes=" +
                              std::to_string(info.classes.size()) + ")");
  w.key("classes").begin_array();
  for (const auto& c : info.classes) w.string(c);
  w.end_array();
  w.key("output").string("logits; softmax over classes, the CTC probability is the 'ctc' class's");
  w.key("channel").string(channel_name(channel));
  w.key("colour").string(channel_pick_name(read.channel));
  w.key("page").integer(read.page < 0 ? 0 : read.page);
  w.key("intensity");
  write_intensity(w, images.intensity);
  w.key("input_size").integer(info.input_size);
  w.key("resize").string("area averaging to input_size x input_size, after the intensity stage");
  w.key("input_channels").string("the gray image repeated in 3 channels, each normalised with its mean and std");
  w.key("mean").begin_array().number(info.mean[0]).number(info.mean[1]).number(info.mean[2]).end_array();
  w.key("std").begin_array().number(info.std[0]).number(info.std[1]).number(info.std[2]).end_array();
  w.key("layout").string("float32 [N, 3, input_size, input_size], (x - mean[c]) / std[c]");
  w.key("software_version").string(info.software_version);
  w.end_object();
  return w.str();
}

ExportedFiles export_torchvision(const std::string& checkpoint, const std::string& out) {
  const auto ends_with = [&](const std::string& ext) {
    return out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0;
  };
  const bool pth = ends_with(".pth");
  CTC_CHECK_INPUT(pth || ends_with(".safetensors"), out, ": the export must be named *.pth or *.safetensors");
  const VerifiedCheckpointFile file = read_checkpoint_file(checkpoint);
  ExportedFiles files{out, out.substr(0, out.find_last_of('.')) + ".json"};
  // The JSON first: it checks the checkpoint's records before any file is written.
  const std::string json = torchvision_preprocessing_json(file.info, checkpoint);
  if (pth) {
    write_pth(files.weights, file.tensors);
  } else {
    write_safetensors(files.weights, file.tensors);
  }
  write_file_atomic(files.preprocessing, json);
  return files;
}

}  // namespace ctcscope
