// One simulated node: its core, its disk (a store::FaultEnv holding a real WAL and snapshot
// files; records become durable only when a simulated fsync completes, and a crash drops the
// unsynced bytes or tears the last write), the replies it holds until they are durable, its
// state machine, and what its acceptor has vouched for in replies (the durability checker).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "agent/core/core.h"
#include "agent/sm/state_machine.h"
#include "agent/store/fault_env.h"
#include "agent/store/wal.h"

namespace pifleet::sim {

inline constexpr char kSimDataDir[] = "/data";
// Small segments, so that compaction actually removes files within a short run.
inline constexpr uint64_t kSimSegmentBytes = 128 * 1024;
// The most bytes a node's WAL may hold when it snapshots every `snapshot_every` slots.
uint64_t WalBytesBound(uint64_t snapshot_every);

struct SimNode {
  core::NodeId id = 0;
  bool up = false;
  bool spare = false;  // outside the cluster until a steady run adds it at the end
  // Refused to start after a bit flip at rest: it stays down, as a real node would until
  // `pifleet repair` brings it back as a new member.
  bool retired = false;
  bool disk_full = false;  // its last sync failed with NoSpace; the core was told
  uint32_t incarnation = 0;
  std::unique_ptr<core::Core> core;
  std::unique_ptr<store::FaultEnv> env;  // the disk: survives crashes
  std::unique_ptr<store::Wal> wal;       // the open log: dies with the process
  bool sync_in_flight = false;
  std::vector<std::pair<uint64_t, core::Envelope>> held;  // (lsn that must be durable, msg)
  // A snapshot handed to the (simulated) writer thread and its marker, appended to the WAL only
  // once the file is stored, as the agent's SnapshotWriter does; a newer one replaces it.
  std::optional<core::SnapshotSave> pending_save;
  std::optional<core::SnapshotRecord> pending_marker;
  uint64_t marker_lsn = 0;  // a snapshot marker waiting for its sync
  core::Slot marker_slot = 0;
  std::unique_ptr<sm::StateMachine> sm;
  std::map<uint64_t, uint64_t> waiting;  // client id -> sequence a client sent here
  core::Slot applied = 0;
  core::Ballot promise_floor;
  // Acceptor state this node has revealed in promises and accepted replies: a crash must never
  // take it back.
  core::Ballot vouched_promise;
  std::map<core::Slot, core::Ballot> vouched_accepts;
  int64_t tick_period_us = 10000;
};

}  // namespace pifleet::sim
