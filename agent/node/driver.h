// The node driver: the one loop around the pure core that both the agent and the simulator run
// (issue 18: the simulator's seeds test the code the agent runs). It hands each Ready to its
// seams in the order agent/core/ready.h states:
//   snapshot blobs to the SnapshotStore; their markers to the WAL once the file is durable;
//   records to the WAL, with one sync outstanding at a time covering all of them (group commit);
//   messages out now; promises and accepted replies held until the WAL is synced past them;
//   a pulled snapshot installed into the state machine; decisions applied in slot order;
//   a snapshot of the state machine every `snapshot_every_slots`, once the commands applied since
//   the last one are as many bytes as it was, built in a buffer whose pages the SnapshotStore
//   touched ahead of it once those bytes were three quarters there; WAL compaction (through the
//   WalExecutor, off the caller's thread) once a marker is durable; a full disk told to the core
//   (no votes) and the sync retried every `disk_full_retry_ticks`.
// Not thread-safe: every call comes from the owner's one thread (the agent's event loop).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "agent/base/status.h"
#include "agent/core/core.h"
#include "agent/node/lease_reads.h"
#include "agent/node/seams.h"
#include "agent/sm/state_machine.h"
#include "agent/store/disk_space.h"
#include "agent/store/store_constants.h"
#include "agent/store/wal.h"

namespace pifleet::node {

// 1000 slots: at the agent's batch sizes a few thousand commands, so a restart replays at most
// that much from the WAL and a lagging node pulls a snapshot at most that old.
inline constexpr core::Slot kSnapshotEverySlots = 1000;
// Room reserved for the core's part of a snapshot blob (the configurations governing the slots
// after it) ahead of the state machine's bytes.
inline constexpr uint64_t kSnapshotHeaderBytesMax = 64ull * 1024;
// Below this state size the next snapshot's buffer is not prepared ahead (SnapshotStore::
// Prepare): its fresh pages cost the loop a few ms at most.
inline constexpr uint64_t kSnapshotPrepareBytesMin = 1024ull * 1024;
// Records nothing waits for (applied decisions) ride along with the next sync that something
// needs; with none within 100 ms (an idle node, a learner), a sync of their own.
inline constexpr uint64_t kLazySyncTicks = 10;

struct DriverOptions {
  core::Slot snapshot_every_slots = kSnapshotEverySlots;  // 0: never snapshot
  uint64_t disk_full_retry_ticks = store::kDiskFullRetryTicks;
  // Benchmarks only: replies leave before their records are durable and nothing re-syncs.
  bool unsafe_no_fsync = false;
};

struct Seams {
  store::Wal* wal = nullptr;  // open, recovered; outlives the driver
  Transport* transport = nullptr;
  WalExecutor* wal_executor = nullptr;
  SnapshotStore* snapshot_store = nullptr;
  NodeEvents* events = nullptr;
};

class NodeDriver {
 public:
  NodeDriver(const DriverOptions& options, const Seams& seams);
  NodeDriver(const NodeDriver&) = delete;
  NodeDriver& operator=(const NodeDriver&) = delete;

  // Builds the core from the recovered durable state (and the newest snapshot blob) and hands
  // out its first Ready. A joiner calls it late, once admitted; before that Tick only retries a
  // full disk's sync.
  void Start(const core::CoreOptions& options, const core::DurableState& durable,
             const std::shared_ptr<const std::string>& snapshot);
  bool started() const { return core_ != nullptr; }

  // Inputs: one tick of logical time, a message (from a peer or from itself), a proposal.
  void Tick();
  // Ticks until Tick has work of the driver's own (a lazy sync), for an owner that sleeps between
  // them: UINT64_MAX for none, 1 for the next.
  uint64_t TicksUntilDue() const;
  void Receive(const core::Envelope& envelope);
  Status Propose(const core::Command& command);
  // Inputs ready at once share slots (core.h, BeginBurst): the owner brackets them.
  void BeginBurst() {
    if (core_) core_->BeginBurst();
  }
  void EndBurst();

  // Lease reads (core.h, "Lease reads"). BeginLeaseRead(id): false unless this node leads;
  // otherwise the read waits for the lease and the slots it needs. CollectLeaseReads hands out
  // the ids that may be answered from state_machine() now, and those declined (no lease within
  // kLeaseReadWaitTicks, or no longer leading), which the caller reads through the log instead.
  // The caller must have run every tick due by its clock before collecting.
  bool BeginLeaseRead(uint64_t id);
  void CollectLeaseReads(std::vector<uint64_t>* ready, std::vector<uint64_t>* declined);
  // The caller's ticks fell behind its clock for good: a lease held now would look longer.
  void DropLease() {
    if (core_) core_->DropLease();
  }

  // Results from the seams.
  void OnSynced(const Status& status);
  void OnCompacted(core::Slot below_slot, const Status& status, size_t segments_removed);
  void OnSnapshotsStored();
  // At a clean stop, after the SnapshotStore finished its last save: queues the markers of the
  // snapshots now durable and syncs the WAL on the caller's thread. No call after it.
  Status FinishForStop();

  const core::Core* core() const { return core_.get(); }
  core::Core* core() { return core_.get(); }
  const sm::StateMachine& state_machine() const { return sm_; }
  bool disk_full() const { return disk_state_.disk_full(); }
  // The runtime setting (sm/settings.h): from the next decided slot on.
  void set_snapshot_every_slots(core::Slot slots) { options_.snapshot_every_slots = slots; }
  uint64_t disk_full_events() const { return disk_state_.full_events(); }
  uint64_t ticks() const { return ticks_; }
  size_t held_messages() const { return held_.size(); }

 private:
  struct HeldMessage {
    uint64_t lsn;  // sent once the WAL is synced up to here
    core::Envelope envelope;
  };

  void Drain();
  bool Persist(core::Ready& ready);  // false: a record was not queued
  void RequestSync();
  void ReleaseHeld();
  bool AppendSnapshotMarkers();  // true if any was queued
  void Install(const core::SnapshotInstall& install, bool pulled);
  // took_effect[*reconfigs] is the next reconfiguration's outcome (Ready::reconfigs_took_effect).
  void Apply(const core::Decision& decision, const std::vector<bool>& took_effect,
             size_t* reconfigs);
  void MaybeSnapshot();
  // A buffer of snapshot_buffers_ that nothing else holds, or a new one if both are in use.
  std::shared_ptr<std::string> FreeSnapshotBuffer();
  std::shared_ptr<std::string> FreePooledSnapshotBuffer();  // nullptr: both in use
  // The room a snapshot blob needs with `applied_bytes` applied since the last, and a buffer
  // given at least that much.
  uint64_t SnapshotRoomBytes(uint64_t applied_bytes) const;
  static void ReserveSnapshotRoom(std::string* buffer, uint64_t room);
  void MaybePrepareSnapshotBuffer();
  void CompactIfMarkerDurable();

  DriverOptions options_;  // snapshot_every_slots changes at runtime
  const Seams seams_;
  std::unique_ptr<core::Core> core_;
  sm::StateMachine sm_;
  store::DiskFullState disk_state_;
  uint64_t ticks_ = 0;
  bool sync_in_flight_ = false;
  bool compact_in_flight_ = false;
  bool stopped_ = false;
  std::deque<HeldMessage> held_;
  LeaseReads lease_reads_;
  uint64_t needed_lsn_ = 0;  // the WAL must be synced up to here promptly (votes, held replies)
  uint64_t lazy_sync_tick_ = UINT64_MAX;  // records appended with no sync needed: synced by then
  // The state machine bytes of the newest snapshot taken or installed, and the command bytes
  // applied since (MaybeSnapshot).
  uint64_t snapshot_app_bytes_ = 0;
  uint64_t applied_bytes_since_snapshot_ = 0;
  // The buffers MaybeSnapshot builds blobs in: the one the core serves and a spare, reused once
  // the core and the SnapshotStore let go of it (only this array holds it). Pages a process has
  // not touched yet cost far more than a write (a fault each: 3.7 ms per MiB on the 2-core VM of
  // tests/bench, more than the encoding itself), so a large state's snapshots write into memory
  // the last ones touched; the price is a spare of the state's size kept resident.
  std::array<std::shared_ptr<std::string>, 2> snapshot_buffers_;
  bool snapshot_buffer_prepared_ = false;  // since the last snapshot taken or installed
  uint64_t marker_lsn_ = 0;  // a snapshot marker waiting for its sync before compaction
  core::Slot marker_slot_ = 0;
};

}  // namespace pifleet::node
