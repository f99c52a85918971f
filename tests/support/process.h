// Runs a program (the ctcscope binary, for end-to-end tests) as a child
// process: its exit status or the signal that ended it, and its stdout and
// stderr together.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ctcscope::test {

struct ProcessResult {
  bool killed = false;  // ended by SIGKILL
  int code = -1;        // exit status (when it exited)
  std::string output;   // stdout and stderr
};

// `env` entries are set in the child (an empty value unsets). With
// kill_after > 0 the child is sent SIGKILL after that long. `log` receives
// the output (replacing what it held).
inline ProcessResult run_process(std::vector<std::string> argv, const std::string& log,
                                 const std::vector<std::pair<std::string, std::string>>& env = {},
                                 std::chrono::milliseconds kill_after = std::chrono::milliseconds(0)) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    for (const auto& [k, v] : env) {
      if (v.empty()) {
        ::unsetenv(k.c_str());
      } else {
        ::setenv(k.c_str(), v.c_str(), 1);
      }
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (kill_after.count() > 0) {
    std::this_thread::sleep_for(kill_after);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult r;
  r.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log, std::ios::binary);
  r.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return r;
}

}  // namespace ctcscope::test
