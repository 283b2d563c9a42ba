// What one simulator run looks like: cluster shape, fault model, canary, and run lengths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/core/options.h"

namespace pifleet::sim {

enum class Faults : uint8_t { kNone, kNet, kCrash, kAll };

struct SimOptions {
  uint32_t voters = 3;
  uint32_t learners = 1;
  Faults faults = Faults::kAll;
  core::Canary canary = core::Canary::kNone;
  bool batching = true;
  bool stale_reads = false;  // the stale-read canary
  bool trace = false;        // print a readable line per event
  uint32_t clients = 4;
  // Watchers of every key (tests/sim/watchers.h); none in steady mode, whose reference of every
  // event would grow with the run (nor the lease holder, tests/sim/lease_holder.h).
  uint32_t watchers = 2;
  bool watch_resume_at_last = false;  // the watch-resume-at-last canary
  // A publisher and a consumer group (tests/sim/topic_actors.h); not in steady mode.
  bool topics = true;
  bool group_ack_before_process = false;  // the group-ack-before-process canary
  // A submitter and a worker on every node running jobs (tests/sim/job_actors.h); not in steady
  // mode.
  bool jobs = true;
  // Faults run until heal_ms; then the network heals, crashed nodes restart, and every pending
  // request must complete within liveness_bound_ms.
  int64_t heal_ms = 2000;
  int64_t liveness_bound_ms = 10000;
  uint64_t lin_step_budget = 2'000'000;
  // Every node snapshots its state every this many applied slots (0: never) and compacts its WAL.
  uint64_t snapshot_every = 16;
  // Steady mode (> 0): no faults; clients run until this many commands are answered, then a new
  // node joins as a learner and must catch up to the same state hash; the WAL and core memory
  // bounds hold throughout. Only the first steady_history_ops operations are recorded and
  // checked for linearizability (the search cannot take a million), so memory stays bounded.
  uint64_t steady_commands = 0;
  size_t steady_history_ops = 20'000;
  // A slow SD card (DESIGN §2, adaptive timeouts): > 0, one disk sync in four takes this long.
  int64_t fsync_stall_ms = 0;
  // > 0: a seed that elected more leaders (ballots that sent accepts) is a violation: a leader
  // was suspected while it was alive.
  uint64_t leaders_max = 0;
  // > 0: the median time from a leader's crash to the next elected ballot, over every seed,
  // must not exceed this (pifleet-sim exits 1 otherwise).
  int64_t failover_p50_ms_max = 0;
};

// Per-seed fault parameters, drawn from the seed.
struct FaultParams {
  uint32_t loss_per_million = 0;
  uint32_t dup_per_million = 0;
  uint32_t reorder_per_million = 0;
  int64_t delay_min_us = 100;
  int64_t delay_max_us = 2000;
  bool partitions = false;
  bool crashes = false;
  bool reconfig = false;
  int64_t fsync_min_us = 200;
  int64_t fsync_max_us = 5000;
  uint32_t torn_crash_per_million = 500000;  // crashes that tear the last write (else drop)
  // Disk-full episodes: a node's disk stops taking writes for a while (then has space again).
  bool disk_full = false;
  // Restarts that first flip one bit of the node's data at rest (at most one node per run).
  uint32_t bit_flip_restart_per_million = 0;
  // Restarts at which the node's newest WAL segment first loses its last records, synced or
  // not, cut at a record boundary (at most one node per run; core/recovery.h keeps it safe).
  uint32_t lose_tail_restart_per_million = 0;
};

}  // namespace pifleet::sim
