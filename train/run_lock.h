// One process per run folder: RUN_DIR/run.lock, made with O_CREAT|O_EXCL,
// records its owner (host, pid, Slurm job, time). A second task on the same
// folder (an array resubmitted while the first still runs, two users) is
// refused naming the owner, rather than two writers racing on one
// last.safetensors. A stale lock is taken over, and the takeover said: on
// the same host when its pid is dead, or when it names this very Slurm task
// (a requeued task keeps its job id, and Slurm ends the earlier one first).
// SIGTERM and SIGINT (Slurm's time limit and preemption, Ctrl-C) remove the
// lock before the process dies, so a task the scheduler killed resumes when
// resubmitted on any node.
#pragma once

#include <functional>
#include <string>

namespace ctcscope {

struct LockOwner {
  std::string host;
  long pid = 0;
  std::string slurm_task;  // "JOB_TASK" for an array task, "JOB" for a job, "" outside Slurm
  std::string since;       // UTC, ISO 8601
};

// This process, as a lock records it.
LockOwner this_lock_owner();

class RunLock {
 public:
  // Takes RUN_DIR/run.lock or throws Error naming the file and its owner.
  // `on_takeover` receives the sentence saying a stale lock was taken over.
  explicit RunLock(const std::string& run_dir, const std::function<void(const std::string&)>& on_takeover = {});
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ctcscope
