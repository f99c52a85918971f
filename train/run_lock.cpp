// The run folder's lock file: create exclusively, record the owner, judge a
// lock left behind, remove on exit and on the scheduler's SIGTERM.
#include "train/run_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "base/file_util.h"
#include "base/json.h"
#include "base/json_writer.h"
#include "train/run_folder.h"

namespace ctcscope {

namespace {

// The locks this process holds, for the signal handler: fixed buffers, as a
// handler may not allocate. One in ctcscope; a test holds two.
constexpr int kMaxHeld = 4;
char g_held_path[kMaxHeld][4096];
volatile sig_atomic_t g_held[kMaxHeld] = {};
int g_held_count = 0;
struct sigaction g_old_term, g_old_int;

extern "C" void remove_locks_then_die(int sig) {
  for (int i = 0; i < kMaxHeld; ++i) {
    if (g_held[i]) ::unlink(g_held_path[i]);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

std::string owner_json(const LockOwner& o) {
  JsonWriter w;
  w.begin_object();
  w.key("host").string(o.host);
  w.key("pid").integer(o.pid);
  w.key("slurm_task").string(o.slurm_task);
  w.key("since").string(o.since);
  w.end_object();
  return w.str();
}

// The owner a lock file names; an empty or unreadable one (its writer died
// between creating and writing it) has pid 0 and is never judged stale.
LockOwner read_owner(const std::string& text, const std::string& path) {
  LockOwner o;
  try {
    const JsonValue v = json_parse(text, path);
    auto get = [&](const char* key) {
      const JsonValue* m = v.find(key);
      return m && m->is_string() ? m->as_string() : std::string();
    };
    o.host = get("host");
    o.slurm_task = get("slurm_task");
    o.since = get("since");
    const JsonValue* pid = v.find("pid");
    o.pid = pid && pid->is_integer() ? static_cast<long>(pid->as_integer()) : 0;
  } catch (const Error&) {
  }
  return o;
}

std::string describe(const LockOwner& o) {
  if (o.pid == 0) return "an unknown owner (the lock file is empty or unreadable)";
  std::string s = "host " + o.host + " pid " + std::to_string(o.pid);
  if (!o.slurm_task.empty()) s += " (Slurm task " + o.slurm_task + ")";
  return s + " since " + o.since;
}

bool pid_alive(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

// Why the owner is gone, or "" while it may still be running.
std::string why_stale(const LockOwner& owner, const LockOwner& me) {
  if (owner.pid == 0) return "";
  if (!me.slurm_task.empty() && owner.slurm_task == me.slurm_task) {
    return "it names this Slurm task, which the scheduler ended before running it again";
  }
  if (owner.host == me.host && !pid_alive(owner.pid)) return "its pid is dead on this host";
  return "";
}

bool create_exclusive(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    CTC_CHECK_INPUT(errno == EEXIST, path, ": cannot create the lock file: ", std::strerror(errno));
    return false;
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::fsync(fd);
  ::close(fd);
  CTC_CHECK_INPUT(written, path, ": cannot write the lock file");
  return true;
}

// Moves a stale lock aside; false when another process replaced it first
// (its new lock is put back).
bool remove_stale(const std::string& path, const std::string& stale_text) {
  const std::string aside = path + ".stale-" + std::to_string(::getpid());
  if (::rename(path.c_str(), aside.c_str()) != 0) return errno == ENOENT;
  const bool same = read_file_bytes(aside) == stale_text;
  if (!same && ::link(aside.c_str(), path.c_str()) != 0) {
    // Both gone: nothing to restore, the next create decides.
  }
  ::unlink(aside.c_str());
  return same;
}

void hold(const std::string& path) {
  int slot = 0;
  while (slot < kMaxHeld && g_held[slot]) ++slot;
  CTC_CHECK(slot < kMaxHeld && path.size() < sizeof g_held_path[slot], "cannot hold another run lock: ", path);
  std::memcpy(g_held_path[slot], path.c_str(), path.size() + 1);
  g_held[slot] = 1;
  if (g_held_count++ > 0) return;
  struct sigaction a {};
  a.sa_handler = remove_locks_then_die;
  sigemptyset(&a.sa_mask);
  ::sigaction(SIGTERM, &a, &g_old_term);
  ::sigaction(SIGINT, &a, &g_old_int);
}

void release(const std::string& path) {
  for (int slot = 0; slot < kMaxHeld; ++slot) {
    if (g_held[slot] && path == g_held_path[slot]) g_held[slot] = 0;
  }
  if (--g_held_count > 0) return;
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  ::sigaction(SIGINT, &g_old_int, nullptr);
}

}  // namespace

LockOwner this_lock_owner() {
  LockOwner o;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  o.host = host;
  o.pid = static_cast<long>(::getpid());
  const char* array_job = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* array_task = std::getenv("SLURM_ARRAY_TASK_ID");
  const char* job = std::getenv("SLURM_JOB_ID");
  if (array_job && array_task) {
    o.slurm_task = std::string(array_job) + "_" + array_task;
  } else if (job) {
    o.slurm_task = job;
  }
  o.since = utc_now_iso();
  return o;
}

RunLock::RunLock(const std::string& run_dir, const std::function<void(const std::string&)>& on_takeover)
    : path_(run_dir + "/run.lock") {
  make_dirs(run_dir);
  const LockOwner me = this_lock_owner();
  const std::string mine = owner_json(me);
  for (int attempt = 0; !create_exclusive(path_, mine); ++attempt) {
    std::string text;
    try {
      text = read_file_bytes(path_);
    } catch (const Error&) {
      continue;  // released between our create and read: try again
    }
    const LockOwner owner = read_owner(text, path_);
    const std::string stale = why_stale(owner, me);
    CTC_CHECK_INPUT(!stale.empty() && attempt < 3, path_, ": the run is held by ", describe(owner),
                    "; a second task on one run folder is refused (if that process is gone, remove the lock file)");
    CTC_CHECK_INPUT(remove_stale(path_, text), path_, ": another process took the stale lock first");
    if (on_takeover) on_takeover(path_ + ": took over a stale lock of " + describe(owner) + ": " + stale);
  }
  hold(path_);
}

RunLock::~RunLock() {
  ::unlink(path_.c_str());
  release(path_);
}

}  // namespace ctcscope
