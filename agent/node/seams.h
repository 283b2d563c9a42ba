// The seams of the node driver (driver.h): what it needs from the world around it, passed in by
// whoever constructs it. The agent implements them with a UDP socket and worker threads
// (agent/daemon), the simulator with its simulated network, latencies and disks (tests/sim).
// Every callback into the driver (OnSynced, OnCompacted, OnSnapshotsStored) comes later, from the
// owner's own thread of control: never from inside the call that asked for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/core/durable.h"
#include "agent/core/message.h"
#include "agent/core/ready.h"
#include "agent/sm/kv.h"

namespace pifleet::node {

// Sends one core message to its addressee. A message to this node itself must come back through
// NodeDriver::Receive later (never re-entrantly), and is lost only if the process dies.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Send(const core::Envelope& envelope) = 0;
};

// Runs the WAL's slow calls away from the driver (the agent: on a worker thread; the simulator:
// after a simulated latency) and reports each result back:
//   RequestSync()               -> NodeDriver::OnSynced(Wal::Sync())
//   RequestCompact(below_slot)  -> NodeDriver::OnCompacted(below_slot, Wal::Compact(), removed)
// The driver keeps at most one of each outstanding.
class WalExecutor {
 public:
  virtual ~WalExecutor() = default;
  virtual void RequestSync() = 0;
  virtual void RequestCompact(core::Slot below_slot) = 0;
};

struct SnapshotJob {
  core::SnapshotSave save;
  std::optional<core::SnapshotRecord> marker;  // appended to the WAL once `save` is durable
};
struct SnapshotResult {
  core::Slot slot = 0;
  uint64_t bytes = 0;
  std::optional<core::SnapshotRecord> marker;
  Status status;          // Ok: the file is durable
  uint64_t write_ms = 0;  // wall time of the save (0 in the simulator)
};

// Stores snapshot blobs as files (store::SaveCoreSnapshot), one at a time, away from the driver;
// a job submitted while another waits replaces it (recovery reads only the newest file). Calls
// NodeDriver::OnSnapshotsStored() after each save.
class SnapshotStore {
 public:
  virtual ~SnapshotStore() = default;
  // Queues job; returns the slot of the waiting job it superseded.
  virtual std::optional<core::Slot> Submit(SnapshotJob job) = 0;
  // The saves finished since the last call, oldest first.
  virtual std::vector<SnapshotResult> TakeFinished() = 0;
  // Writes `bytes` bytes of `buffer` (within its capacity, which the caller reserved) and
  // empties it again, when no save waits: the pages of the driver's next snapshot blob, touched
  // off the driver's thread (a page's first write is what a large snapshot costs the loop
  // most). The store holds `buffer` until it is done, and the driver uses no buffer it does not
  // hold alone.
  virtual void Prepare(std::shared_ptr<std::string> buffer, uint64_t bytes) = 0;
};

// What the driver tells its owner. Each hook runs on the driver's thread, inside the driver's
// call, and must not call back into the driver (post instead).
class NodeEvents {
 public:
  enum class Problem : uint8_t {
    kWalAppend,        // a record was not queued: the node does not vouch for it
    kMarkerAppend,     // a snapshot marker was not queued: the WAL is not compacted
    kSnapshotRefused,  // the core refused TakeSnapshot
    kCompaction,       // Wal::Compact failed: the WAL keeps its segments
  };

  virtual ~NodeEvents() = default;
  // The process cannot go on safely (a WAL sync failed for another reason than a full disk, a
  // snapshot's state machine bytes do not decode): stop, so nothing unsynced is acknowledged.
  virtual void OnFatal(const Status& status) = 0;
  virtual void OnProblem(Problem problem, const Status& status) = 0;
  // The disk became full (status: the NoSpace that said so) or has space again (status: Ok).
  virtual void OnDiskFullChanged(bool full, const Status& status) = 0;

  virtual void OnMessagesSent(const std::vector<core::Envelope>& messages) { (void)messages; }
  virtual void BeforeDecision(const core::Decision& decision) { (void)decision; }
  // Every command of a decision, in order: an application command with the state machine's
  // answer, or a reconfiguration (the core tracks configurations) and whether it took effect
  // (false: its configuration had been replaced, or it was not a valid one).
  virtual void OnCommandApplied(core::Slot slot, const core::Command& command,
                                const sm::KvResult& result) {
    (void)slot, (void)command, (void)result;
  }
  virtual void OnReconfigApplied(core::Slot slot, const core::Command& command, bool took_effect) {
    (void)slot, (void)command, (void)took_effect;
  }
  virtual void AfterDecision(const core::Decision& decision) { (void)decision; }
  // The state machine was replaced by a snapshot's state at `slot`; `pulled`: from a peer.
  virtual void OnInstalled(core::Slot slot, bool pulled) { (void)slot, (void)pulled; }
  virtual void OnSnapshotTaken(core::Slot slot) { (void)slot; }
  virtual void OnSnapshotStored(const SnapshotResult& result) { (void)result; }
  virtual void OnSnapshotSuperseded(core::Slot slot, core::Slot by_slot) {
    (void)slot, (void)by_slot;
  }
  virtual void OnCompacted(core::Slot below_slot, size_t segments_removed) {
    (void)below_slot, (void)segments_removed;
  }
  // After each Ready has been handled and the core advanced.
  virtual void AfterAdvance() {}
};

}  // namespace pifleet::node
