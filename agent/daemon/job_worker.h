// This agent's part in jobs (DESIGN §8, docs/jobs.md): as a worker (every member unless its
// config says `worker = false`) it claims a chunk through the log when idle, runs it
// (JobRunner), and reports the result through the log; it kills the run when the replicated job
// table no longer lists it (cancelled, lease expired, a backup's result won). As the leader it
// proposes the expire command once a lease is past due by its clock, so replicas expire leases
// at the same slot. Pure reaction to the local replica's table: it never blocks the loop.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/daemon/job_runner.h"
#include "agent/sm/jobs.h"

namespace pifleet::daemon {

inline constexpr uint64_t kJobBeatMs = 20000;  // idle worker heard at least this often
inline constexpr uint64_t kJobEmptyClaimBackoffMs = 1000;
inline constexpr uint64_t kJobAnswerWaitMs = 15000;  // a claim or result not applied: again
inline constexpr uint64_t kJobExpireCheckMs = 1000;

class JobWorker {
 public:
  using Propose = std::function<void(std::string payload)>;
  using Note = std::function<void(const std::string& message)>;
  // Starts a chunk; `done` runs on the loop once it ended. Default: a JobRunner.
  using StartRun = std::function<std::unique_ptr<ChunkRun>(const ChunkTask& task,
                                                           std::function<void(ChunkOutcome)> done)>;
  // enabled: this node runs chunks; user: who runs them when the agent is root.
  JobWorker(asio::io_context& io, uint64_t node_id, bool enabled, const std::string& user,
            Propose propose, Note note, StartRun start_run = nullptr);
  ~JobWorker();

  // From the loop, often (every 100 ms): claims, beats, kills, the leader's expiry.
  void Tick(const sm::JobTable& table, bool leader, uint64_t wall_ms);
  // Tick() has work: a chunk in progress here, or a queued or running job in the table.
  bool Busy(const sm::JobTable& table) const;
  // Every applied job command with its result (this replica's).
  void OnApplied(const std::string& payload, const sm::KvResult& result, const sm::JobTable& table);

 private:
  enum class Phase { kIdle, kClaiming, kRunning, kStopping, kReporting };
  void Start(const sm::Job& job, uint64_t start, uint64_t end, uint64_t attempt);
  void OnFinished(const ChunkOutcome& outcome);
  bool StillMine(const sm::JobTable& table) const;
  void Send(sm::JobCommand command);

  asio::io_context& io_;
  const uint64_t node_id_;
  const bool enabled_;
  std::optional<std::pair<uid_t, gid_t>> run_as_;
  bool no_user_ = false;
  Propose propose_;
  Note note_;
  Phase phase_ = Phase::kIdle;
  uint64_t phase_ms_ = 0;       // wall time the phase began (claim or result sent)
  uint64_t next_claim_ms_ = 0;  // after an empty claim
  uint64_t last_sent_ms_ = 0;   // claim, result or beat
  uint64_t last_expire_ms_ = 0;
  uint64_t wall_ms_ = 0;
  StartRun start_run_;
  std::unique_ptr<ChunkRun> runner_;
  ChunkTask task_;  // of the run in progress or being reported
  std::optional<ChunkOutcome> outcome_;
};

}  // namespace pifleet::daemon
