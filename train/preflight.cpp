// Preflight: statvfs and a probe file for the output folder; a full decode
// of every image before the first epoch.
#include "train/preflight.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include <sys/statvfs.h>
#include <unistd.h>

#include "data/image_file.h"
#include "base/atomic_file.h"
#include "base/error.h"

namespace ctcscope {

namespace {

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

DiskSpace disk_space(const std::string& dir) {
  struct statvfs s {};
  CTC_CHECK_INPUT(::statvfs(dir.c_str(), &s) == 0, dir, ": cannot read the file system's free space: ",
                  std::strerror(errno));
  DiskSpace out;
  out.available_bytes = static_cast<std::uint64_t>(s.f_bavail) * static_cast<std::uint64_t>(s.f_frsize);
  out.read_only = (s.f_flag & ST_RDONLY) != 0;
  return out;
}

std::uint64_t training_output_bytes(std::int64_t state_dict_bytes, std::int64_t parameter_bytes) {
  const std::uint64_t best = static_cast<std::uint64_t>(state_dict_bytes);
  const std::uint64_t last = best + 2 * static_cast<std::uint64_t>(parameter_bytes);
  return 2 * best + 2 * last + (1u << 20);
}

void check_output_folder(const std::string& dir, std::uint64_t bytes_needed,
                         const std::function<DiskSpace(const std::string&)>& space) {
  const DiskSpace s = space(dir);
  CTC_CHECK_INPUT(!s.read_only, dir, ": the output folder is on a read-only file system; choose another --out");
  CTC_CHECK_INPUT(s.available_bytes >= bytes_needed, dir, ": the run needs about ", mib(bytes_needed),
                  " for its checkpoints and reports, but the file system has ", mib(s.available_bytes),
                  " free; free some space or choose another --out");
  // Permissions, quotas and odd mounts: only a real write tells.
  const std::string probe = (std::filesystem::path(dir) / ".ctcscope_write_probe").string();
  try {
    AtomicFile f(probe);
    f.write("probe", 5);
    f.commit();
  } catch (const Error& e) {
    CTC_FAIL(dir, ": the output folder cannot be written: ", e.what());
  }
  std::remove(probe.c_str());
}

void check_images(const Manifest& manifest, const std::vector<ImageToCheck>& images,
                  const CellImageSettings& settings) {
  std::vector<std::string> errors;
  std::size_t failed = 0;
  for (const auto& [relative, channel] : std::set<ImageToCheck>(images.begin(), images.end())) {
    try {
      (void)read_image((std::filesystem::path(manifest.root) / relative).string(), settings.read_options(channel));
    } catch (const Error& e) {
      if (++failed <= 10) errors.push_back(e.what());
    }
  }
  if (failed == 0) return;
  std::string message = std::to_string(failed) + " image" + (failed == 1 ? "" : "s") + " of " + manifest.root +
                        " cannot be read; nothing was trained. Fix or remove them (ctcscope index rebuilds a "
                        "manifest):";
  for (const auto& e : errors) message.append("\n  ").append(e);
  if (failed > errors.size()) message.append("\n  ... and ").append(std::to_string(failed - errors.size())).append(" more");
  CTC_FAIL(message);
}

}  // namespace ctcscope
