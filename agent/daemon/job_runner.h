// Runs one chunk of a job off the event loop (DESIGN §8): a command in a process group of its
// own, as an unprivileged user when the agent runs as root, with PIFLEET_ITEM_START (first
// item), PIFLEET_ITEM_END (one past the last), PIFLEET_JOB and PIFLEET_ATTEMPT in its
// environment; or the builtin sha256 workload in a thread. A thread of the runner watches the
// child (its output pipe, its exit, the timeout) and posts the outcome to the loop, which never
// blocks on it. Kill() ends the whole process group (cancel, lease loss, agent stop).
//
// Output (stdout and stderr together) is bounded: at most kJobOutputBytesMax (1024) bytes are
// committed; a longer output keeps its first kJobOutputKeptBytes (900) and ends with a marker
// naming how many bytes were dropped ("[pifleet: N more bytes dropped]").
#pragma once

#include <asio.hpp>

#include <sys/types.h>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/sm/job_commands.h"

namespace pifleet::daemon {

inline constexpr size_t kJobOutputKeptBytes = 900;
inline constexpr int kExitTimedOut = 124;    // as timeout(1)
inline constexpr int kExitNoUser = 126;      // the configured user does not exist
inline constexpr int kExitExecFailed = 127;  // as a shell: command not found

struct ChunkTask {
  std::string job;
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t attempt = 0;
  sm::Workload workload = sm::Workload::kCommand;
  uint64_t rounds = 1;
  std::vector<std::string> argv;
  uint64_t timeout_ms = 0;
  // Set when the agent runs as root: the command runs as this user and group (never root).
  std::optional<std::pair<uid_t, gid_t>> run_as;
  bool no_user = false;  // root, and the configured user does not exist: refuse to run
};

struct ChunkOutcome {
  int64_t exit_code = 0;
  uint64_t duration_ms = 0;
  std::string output;
};

// The output as committed: whole up to kJobOutputBytesMax, else its head and a marker.
std::string BoundOutput(const std::string& head, uint64_t total_bytes);
// The builtin workload: per item, `rounds` SHA-256 rounds over the item number (8 bytes LE);
// the hex XOR of every item's digest. nullopt when `stop` turned true first.
std::optional<std::string> Sha256Items(uint64_t start, uint64_t end, uint64_t rounds,
                                       const std::atomic<bool>& stop);

// A chunk being run: the worker kills it when its run is no longer listed (JobWorker); the
// simulator runs chunks of its own through this seam (tests/sim/job_actors.h).
class ChunkRun {
 public:
  virtual ~ChunkRun() = default;
  virtual void Kill() = 0;
};

class JobRunner final : public ChunkRun {
 public:
  // Starts at once; `done` runs on the io_context's thread when the chunk finished, failed,
  // timed out or was killed.
  JobRunner(asio::io_context& io, ChunkTask task, std::function<void(ChunkOutcome)> done);
  ~JobRunner() override;  // kills what still runs and waits for the watcher thread
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void Kill() override;
  const ChunkTask& task() const { return task_; }

 private:
  ChunkOutcome Run();
  ChunkOutcome RunCommand();

  ChunkTask task_;
  std::atomic<bool> stop_{false};
  std::atomic<pid_t> pgid_{0};  // while the child is alive and not yet reaped
  std::thread thread_;
};

}  // namespace pifleet::daemon
