// The run folder's lock: a second holder is refused naming the first, a lock
// left by a dead process on this host or by this very Slurm task is taken
// over (and said), one of a live process elsewhere is not, and the lock goes
// with the holder: at its end and on SIGTERM (Slurm's time limit).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "base/file_util.h"
#include "base/json_writer.h"
#include "tests/support/test_util.h"
#include "train/run_lock.h"
#include "train/run_folder.h"

namespace ctcscope {
namespace {

std::string lock_text(const std::string& host, long pid, const std::string& slurm_task) {
  JsonWriter w;
  w.begin_object();
  w.key("host").string(host);
  w.key("pid").integer(pid);
  w.key("slurm_task").string(slurm_task);
  w.key("since").string("2026-12-01T00:00:00Z");
  w.end_object();
  return w.str();
}

// A pid that was this host's and is no longer.
long dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

// Sets SLURM_ARRAY_JOB_ID / SLURM_ARRAY_TASK_ID for one test, as Slurm does in a task.
struct InSlurmTask {
  InSlurmTask(const char* job, const char* task) {
    ::setenv("SLURM_ARRAY_JOB_ID", job, 1);
    ::setenv("SLURM_ARRAY_TASK_ID", task, 1);
  }
  ~InSlurmTask() {
    ::unsetenv("SLURM_ARRAY_JOB_ID");
    ::unsetenv("SLURM_ARRAY_TASK_ID");
  }
};

TEST(RunLock, ASecondHolderIsRefusedNamingTheFirstAndTheLockGoesWithTheHolder) {
  const std::string dir = test::fresh_test_dir("ctcscope_test_run_lock") + "/run";
  {
    const RunLock held(dir);
    const std::string text = read_file_bytes(held.path());
    EXPECT_NE(text.find("\"pid\": " + std::to_string(::getpid())), std::string::npos) << text;
    test::expect_error_containing([&] { RunLock second(dir); }, "pid " + std::to_string(::getpid()));
    test::expect_error_containing([&] { RunLock second(dir); }, "a second task on one run folder is refused");
    EXPECT_TRUE(file_exists(held.path())) << "the refused second holder must not remove the first's lock";
  }
  EXPECT_FALSE(file_exists(dir + "/run.lock"));
  const RunLock again(dir);
}

TEST(RunLock, AStaleLockOfADeadPidOnThisHostIsTakenOverAndSaid) {
  const std::string dir = test::fresh_test_dir("ctcscope_test_run_lock") + "/run";
  std::filesystem::create_directories(dir);
  const long pid = dead_pid();
  write_file_atomic(dir + "/run.lock", lock_text(this_lock_owner().host, pid, ""));
  std::string said;
  const RunLock lock(dir, [&](const std::string& line) { said = line; });
  EXPECT_NE(said.find("took over a stale lock of host " + this_lock_owner().host + " pid " + std::to_string(pid)),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("its pid is dead on this host"), std::string::npos) << said;
  EXPECT_NE(read_file_bytes(lock.path()).find(std::to_string(::getpid())), std::string::npos);
}

TEST(RunLock, ALiveOwnerOnAnotherHostIsRefusedButThisSlurmTaskTakesItsOwnLockOver) {
  const std::string dir = test::fresh_test_dir("ctcscope_test_run_lock") + "/run";
  std::filesystem::create_directories(dir);
  // pid 1 is alive here, but the lock is another host's: nothing here can tell it is gone.
  write_file_atomic(dir + "/run.lock", lock_text("node17", 1, "900_3"));
  test::expect_error_containing([&] { RunLock lock(dir); }, "held by host node17 pid 1 (Slurm task 900_3)");
  {
    const InSlurmTask other("900", "4");
    test::expect_error_containing([&] { RunLock lock(dir); }, "node17");
  }
  const InSlurmTask same("900", "3");  // requeued: the scheduler ended the first instance
  std::string said;
  const RunLock lock(dir, [&](const std::string& line) { said = line; });
  EXPECT_NE(said.find("it names this Slurm task"), std::string::npos) << said;
  EXPECT_NE(read_file_bytes(lock.path()).find("\"slurm_task\": \"900_3\""), std::string::npos);
}

TEST(RunLock, SigtermRemovesTheLockBeforeTheProcessDies) {
  const std::string dir = test::fresh_test_dir("ctcscope_test_run_lock") + "/run";
  const pid_t child = ::fork();
  if (child == 0) {
    const RunLock lock(dir);
    ::raise(SIGTERM);
    ::_exit(0);  // not reached: SIGTERM's default action ends the process
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "status " << status;
  EXPECT_TRUE(file_exists(dir)) << "the child made the folder";
  EXPECT_FALSE(file_exists(dir + "/run.lock"));
}

}  // namespace
}  // namespace ctcscope
