// One simulated node: the agent's own node driver (agent/node: core, state machine, replies held
// until durable, snapshots, compaction, disk full) on simulated seams (sim_seams.h), its disk (a
// store::FaultEnv holding a real WAL and snapshot files; records become durable only when a
// simulated fsync completes, and a crash drops the unsynced bytes or tears the last write), and
// what its acceptor has vouched for in replies (the durability checker).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "agent/core/core.h"
#include "agent/daemon/internal_session.h"
#include "agent/daemon/job_worker.h"
#include "agent/daemon/lease_clock.h"
#include "agent/daemon/watch_hub.h"
#include "agent/node/driver.h"
#include "agent/store/fault_env.h"
#include "agent/store/wal.h"
#include "tests/sim/sim_seams.h"

namespace pifleet::sim {

inline constexpr char kSimDataDir[] = "/data";
// Small segments, so that compaction actually removes files within a short run; large enough
// that a full batch (core::kBatchBytesMax) passes the WAL's one-record-per-quarter-segment rule.
inline constexpr uint64_t kSimSegmentBytes = 512 * 1024;
static_assert(kSimSegmentBytes / 4 > core::kBatchBytesMax + 4096, "a full batch fits one record");
// The most bytes a node's WAL may hold when it snapshots every `snapshot_every` slots.
uint64_t WalBytesBound(uint64_t snapshot_every);

struct SimNode {
  core::NodeId id = 0;
  bool up = false;
  bool spare = false;  // outside the cluster until a steady run adds it at the end
  // Refused to start after a bit flip at rest: it stays down, as a real node would until
  // `pifleet repair` brings it back as a new member.
  bool retired = false;
  uint32_t incarnation = 0;
  std::unique_ptr<store::FaultEnv> env;  // the disk: survives crashes
  // The process: dies with a crash.
  std::unique_ptr<store::Wal> wal;
  std::unique_ptr<SimSeams> seams;
  std::unique_ptr<node::NodeDriver> driver;
  std::unique_ptr<daemon::WatchHub> hub;  // the agent's watches (tests/sim/watchers.h)
  // The agent's lease expiry (tests/sim/lease_holder.h): its clock, and its own session.
  std::unique_ptr<daemon::LeaseClock> lease_clock;
  std::unique_ptr<daemon::InternalSession> own;
  std::unique_ptr<daemon::JobWorker> worker;  // the agent's job worker (tests/sim/job_actors.h)
  int64_t paused_until_us = 0;                // a stalled process (simulation_jobs.cc)
  uint64_t ticks = 0;                         // of this incarnation
  core::Core& core() { return *driver->core(); }
  const sm::StateMachine& sm() const { return driver->state_machine(); }
  std::map<uint64_t, uint64_t> waiting;  // client id -> sequence a client sent here
  // Lease reads this node's driver holds: read id -> (client id, sequence).
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> lease_reads;
  // It skipped ticks while paused, so its tick count lags the clock: the agent's loop then
  // drops the lease (agent_loop.cc), and so does the simulation before the next tick.
  bool ticks_skipped = false;
  bool in_burst = false;  // its driver is between BeginBurst and EndBurst
  core::Slot applied = 0;
  core::Ballot promise_floor;
  // Acceptor state this node has revealed in promises and accepted replies: a crash must never
  // take it back.
  core::Ballot vouched_promise;
  std::map<core::Slot, core::Ballot> vouched_accepts;
  int64_t tick_period_us = 10000;
};

}  // namespace pifleet::sim
