#include "agent/daemon/job_runner.h"

#include <fcntl.h>
#include <grp.h>
#include <mbedtls/sha256.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>

extern char** environ;

namespace pifleet::daemon {
namespace {

uint64_t SteadyMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// The child's environment: the agent's, without PIFLEET_* of its own, plus the chunk's.
std::vector<std::string> ChildEnvironment(const ChunkTask& task) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    if (std::string_view(*e).starts_with("PIFLEET_")) continue;
    env.emplace_back(*e);
  }
  env.push_back("PIFLEET_ITEM_START=" + std::to_string(task.start));
  env.push_back("PIFLEET_ITEM_END=" + std::to_string(task.end));
  env.push_back("PIFLEET_JOB=" + task.job);
  env.push_back("PIFLEET_ATTEMPT=" + std::to_string(task.attempt));
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// In the forked child: only async-signal-safe calls until exec.
[[noreturn]] void ExecChild(int out_fd, const ChunkTask& task, char** argv, char** envp) {
  setpgid(0, 0);
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  close_range(3, ~0U, 0);  // the agent's sockets, WAL and keys stay with the agent
  if (task.run_as) {
    if (setgroups(0, nullptr) != 0 || setgid(task.run_as->second) != 0 ||
        setuid(task.run_as->first) != 0) {
      _exit(kExitNoUser);
    }
  }
  execvpe(argv[0], argv, envp);
  _exit(kExitExecFailed);
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

std::string BoundOutput(const std::string& head, uint64_t total_bytes) {
  if (total_bytes <= sm::kJobOutputBytesMax && head.size() == total_bytes) return head;
  const uint64_t kept = std::min<uint64_t>(head.size(), kJobOutputKeptBytes);
  return head.substr(0, kept) + "\n[pifleet: " + std::to_string(total_bytes - kept) +
         " more bytes dropped]";
}

std::optional<std::string> Sha256Items(uint64_t start, uint64_t end, uint64_t rounds,
                                       const std::atomic<bool>& stop) {
  std::array<unsigned char, 32> folded{};
  for (uint64_t item = start; item < end; ++item) {
    if (stop.load(std::memory_order_relaxed)) return std::nullopt;
    std::array<unsigned char, 32> digest{};
    unsigned char input[8];
    for (int i = 0; i < 8; ++i) input[i] = static_cast<unsigned char>(item >> (8 * i));
    mbedtls_sha256_ret(input, sizeof(input), digest.data(), 0);
    for (uint64_t r = 1; r < rounds; ++r) {
      mbedtls_sha256_ret(digest.data(), digest.size(), digest.data(), 0);
    }
    for (size_t i = 0; i < folded.size(); ++i) folded[i] ^= digest[i];
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : folded) hex += {kHex[b >> 4], kHex[b & 15]};
  return hex;
}

JobRunner::JobRunner(asio::io_context& io, ChunkTask task, std::function<void(ChunkOutcome)> done)
    : task_(std::move(task)) {
  thread_ = std::thread([this, &io, done = std::move(done)] {
    ChunkOutcome outcome = Run();
    asio::post(io, [done, outcome = std::move(outcome)] { done(outcome); });
  });
}

JobRunner::~JobRunner() {
  Kill();
  if (thread_.joinable()) thread_.join();
}

void JobRunner::Kill() { stop_.store(true); }

ChunkOutcome JobRunner::Run() {
  const uint64_t started = SteadyMs();
  ChunkOutcome outcome;
  if (task_.workload == sm::Workload::kSha256) {
    std::optional<std::string> hex = Sha256Items(task_.start, task_.end, task_.rounds, stop_);
    outcome = hex ? ChunkOutcome{0, 0, *hex} : ChunkOutcome{128 + SIGKILL, 0, "stopped"};
  } else {
    outcome = RunCommand();
  }
  outcome.duration_ms = SteadyMs() - started;
  return outcome;
}

ChunkOutcome JobRunner::RunCommand() {
  if (task_.no_user) return {kExitNoUser, 0, "the agent runs as root and the job user is missing"};
  std::vector<std::string> args = task_.argv;
  std::vector<std::string> env = ChildEnvironment(task_);
  std::vector<char*> argv = Pointers(args), envp = Pointers(env);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {kExitExecFailed, 0, "pipe failed"};
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return {kExitExecFailed, 0, "fork failed"};
  }
  if (pid == 0) ExecChild(fds[1], task_, argv.data(), envp.data());
  setpgid(pid, pid);  // also here: no window in which a kill misses the group
  close(fds[1]);
  const uint64_t started = SteadyMs();
  std::string head;
  uint64_t total = 0;
  bool timed_out = false, killed = false, exited = false;
  int status = 0;
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      char buffer[4096];
      const ssize_t n = read(fds[0], buffer, sizeof(buffer));
      if (n <= 0) break;  // EOF: every process of the group closed the pipe
      total += static_cast<uint64_t>(n);
      if (head.size() < sm::kJobOutputBytesMax) {
        head.append(buffer,
                    std::min<size_t>(static_cast<size_t>(n), sm::kJobOutputBytesMax - head.size()));
      }
      continue;
    }
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      kill(-pid, SIGKILL);  // what the command left behind in its group goes with it
    }
    if (!killed && (stop_.load() || SteadyMs() - started > task_.timeout_ms)) {
      timed_out = !stop_.load();
      killed = true;
      kill(-pid, SIGKILL);
    }
  }
  close(fds[0]);
  if (!exited) waitpid(pid, &status, 0);
  if (timed_out) {
    const std::string marker =
        "\n[pifleet: timed out after " + std::to_string(task_.timeout_ms / 1000) + " s]";
    std::string output = BoundOutput(head, total);
    output.resize(std::min(output.size(), sm::kJobOutputBytesMax - marker.size()));
    return {kExitTimedOut, 0, output + marker};
  }
  return {ExitCodeOf(status), 0, BoundOutput(head, total)};
}

}  // namespace pifleet::daemon
