// Jobs in the simulation (docs/simulator.md). A submitter submits one or two jobs through an
// InternalSession of its own (the agent's bookkeeping), at a random node, again every 250 ms until
// applied: 150 to 900 items, a 1 s timeout (so a lease lasts 6 s: kJobLeaseGraceMs), 0 to 3
// retries, and in some seeds chunks that fail now and then. Every node runs the agent's own
// daemon::JobWorker (claims, results, kills, the leader's expiry, through the node's own
// InternalSession); only its chunks are simulated (Simulation's StartRun seam): a chunk takes
// its items / the node's speed (100 to 400 items/s, drawn per node) of simulated time, no process
// runs. A crash kills the worker and its run; the restarted node's worker claims again. In 20 %
// of the seeds with crashes one learner pauses for 6.2 to 7.2 s (a stalled Pi: no ticks, its
// datagrams and disk completions wait), longer than a lease: its chunk is taken by a backup run
// or, once its lease expired, re-run elsewhere, and the result it reports when it resumes comes
// from a fenced run.
// The checker is tests/sim/job_checker.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/rng.h"
#include "agent/core/types.h"
#include "agent/daemon/internal_session.h"
#include "agent/sm/job_commands.h"
#include "agent/sm/kv_op.h"
#include "tests/sim/job_checker.h"

namespace pifleet::sim {

// The submitter's registrations are proposed under this id (never a session id).
inline constexpr uint64_t kJobSubmitterNonce = (uint64_t{1} << 60) | 0xffe000;

class JobActors {
 public:
  // pauses: the seed may pause a node (tests/sim/simulation_jobs.cc), when faults crash nodes.
  JobActors(uint64_t seed, uint32_t nodes, bool pauses);

  // Jobs run in half the seeds (drawn from the seed): they cost 1.4 to 1.7 times the run.
  bool on() const { return on_; }

  // Every tick of the first node's timer: the submitter's command to propose now, if any.
  std::optional<core::Command> Due(int64_t now_us);
  // Every command any node applied.
  void OnApplied(const core::Command& command, const sm::KvResult& result);
  // Every job was submitted (its submit applied).
  bool Submitted() const { return next_ == specs_.size() && !outstanding_; }
  // A chunk of `items` on node index `node`: its simulated duration, and whether it fails.
  int64_t RunUs(uint32_t node, uint64_t items);
  bool RunFails(const std::string& job);

  // When a node pauses in this seed (0: none), and for how long.
  int64_t pause_at_us() const { return pause_at_us_; }
  int64_t pause_us() const { return pause_us_; }

  JobChecker& checker() { return checker_; }
  const JobChecker& checker() const { return checker_; }

 private:
  struct Planned {
    sm::JobSpec spec;
    int64_t submit_us = 0;
    uint32_t fail_per_million = 0;
  };

  core::Rng rng_;  // its own: the workload's draws leave the faults' sequence alone
  bool on_ = false;
  std::vector<uint64_t> items_per_s_;  // by node index
  std::vector<Planned> specs_;
  int64_t pause_at_us_ = 0;
  int64_t pause_us_ = 0;
  size_t next_ = 0;  // the next spec to submit
  daemon::InternalSession session_{kJobSubmitterNonce};
  std::optional<core::Command> outstanding_;
  int64_t proposed_us_ = 0;
  JobChecker checker_;
};

}  // namespace pifleet::sim
