#include "agent/node/driver.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>

#include "agent/base/assert.h"
#include "agent/store/core_log.h"

namespace pifleet::node {

NodeDriver::NodeDriver(const DriverOptions& options, const Seams& seams)
    : options_(options), seams_(seams), disk_state_(options.disk_full_retry_ticks) {
  PIFLEET_ASSERT(seams.wal != nullptr && seams.transport != nullptr &&
                 seams.wal_executor != nullptr && seams.snapshot_store != nullptr &&
                 seams.events != nullptr);
}

void NodeDriver::Start(const core::CoreOptions& options, const core::DurableState& durable,
                       const std::shared_ptr<const std::string>& snapshot) {
  PIFLEET_ASSERT_MSG(!core_, "the core is started once");
  // A lost synced tail leaves no trace on the disk: every start runs restart recovery
  // (agent/core/recovery.h) before this node votes again, in the agent and the simulator alike.
  sm_.SetJobStaleCanary(options.canary == core::Canary::kJobStaleAttempt);
  core::CoreOptions started = options;
  started.recover_on_start = true;
  core_ = std::make_unique<core::Core>(started, durable, snapshot);
  core_->SetDiskFull(disk_state_.disk_full());  // a joiner's core may start during an episode
  Drain();  // the restored snapshot and the decisions logged above it are applied first
}

void NodeDriver::Tick() {
  if (stopped_) return;
  ++ticks_;
  if (core_) {
    core_->Tick();
    Drain();
  }
  if (!sync_in_flight_ && disk_state_.RetryDue(ticks_)) RequestSync();
  if (!sync_in_flight_ && !disk_state_.disk_full() && ticks_ >= lazy_sync_tick_) RequestSync();
}

uint64_t NodeDriver::TicksUntilDue() const {
  if (lazy_sync_tick_ == UINT64_MAX) return UINT64_MAX;
  return lazy_sync_tick_ > ticks_ ? lazy_sync_tick_ - ticks_ : 1;
}

void NodeDriver::Receive(const core::Envelope& envelope) {
  if (stopped_ || !core_) return;
  core_->Receive(envelope);
  Drain();
}

Status NodeDriver::Propose(const core::Command& command) {
  if (stopped_ || !core_) return Status::InvalidArgument("this node is not in a cluster yet");
  Status status = core_->Propose(command);
  Drain();
  return status;
}

void NodeDriver::EndBurst() {
  if (stopped_ || !core_) return;
  core_->EndBurst();
  Drain();
}

bool NodeDriver::BeginLeaseRead(uint64_t id) {
  if (stopped_ || !core_ || !core_->IsLeader()) return false;
  core_->WantLease();
  lease_reads_.Add(id, core_->HighestDecidedSlot(), ticks_);
  Drain();
  return true;
}

void NodeDriver::CollectLeaseReads(std::vector<uint64_t>* ready, std::vector<uint64_t>* declined) {
  const bool leading = core_ && core_->IsLeader();
  lease_reads_.Collect(
      ticks_, leading,
      [&](core::Slot read_index) { return leading && core_->LeaseReadable(read_index); }, ready,
      declined);
}

void NodeDriver::Drain() {
  while (!stopped_ && core_->HasReady()) {
    core::Ready ready = core_->TakeReady();
    const bool appended = Persist(ready);
    if (ready.must_sync) {
      needed_lsn_ = seams_.wal->last_lsn();
      RequestSync();
    } else if (!ready.records.empty() && lazy_sync_tick_ == UINT64_MAX) {
      // Decisions only: the next needed sync takes them along, or one this much later.
      lazy_sync_tick_ = ticks_ + kLazySyncTicks;
    }
    for (const core::Envelope& envelope : ready.messages) seams_.transport->Send(envelope);
    seams_.events->OnMessagesSent(ready.messages);
    if (appended) {
      // They wait for every record handed out so far, this Ready's included.
      const uint64_t lsn = seams_.wal->last_lsn();
      for (core::Envelope& envelope : ready.messages_after_sync) {
        held_.push_back({lsn, std::move(envelope)});
      }
      // They may wait on records of an earlier Ready (or, after a restart, on records the WAL
      // replayed but has not synced in this life) with no sync on its way: make sure one comes.
      if (!ready.messages_after_sync.empty() && seams_.wal->synced_lsn() < lsn) {
        needed_lsn_ = std::max(needed_lsn_, lsn);
        RequestSync();
      }
    }
    // else: the records they vouch for are not in the WAL, so they must never leave.
    if (ready.install) Install(*ready.install, ready.snapshot_save.has_value());
    if (stopped_) return;  // the state machine could not take the snapshot: apply nothing more
    size_t reconfigs = 0;  // into ready.reconfigs_took_effect
    for (const core::Decision& decision : ready.committed) {
      Apply(decision, ready.reconfigs_took_effect, &reconfigs);
    }
    PIFLEET_ASSERT(reconfigs == ready.reconfigs_took_effect.size());
    core_->Advance();
    seams_.events->AfterAdvance();
    MaybeSnapshot();
    MaybePrepareSnapshotBuffer();
  }
  ReleaseHeld();
}

bool NodeDriver::Persist(core::Ready& ready) {
  bool appended = true;
  std::optional<core::SnapshotRecord> marker;
  for (const core::Record& record : ready.records) {
    if (const auto* snapshot = std::get_if<core::SnapshotRecord>(&record)) {
      // A marker promises a stored snapshot: it waits for the store (AppendSnapshotMarkers).
      // One without its blob in this Ready could never be vouched for, so it is dropped.
      if (ready.snapshot_save && ready.snapshot_save->slot == snapshot->slot) marker = *snapshot;
      continue;
    }
    uint64_t lsn = 0;
    if (Status status = store::AppendCoreRecord(seams_.wal, record, &lsn); !status.ok()) {
      appended = false;
      seams_.events->OnProblem(NodeEvents::Problem::kWalAppend, status);
    }
  }
  if (ready.snapshot_save) {
    const core::Slot slot = ready.snapshot_save->slot;
    if (const auto superseded = seams_.snapshot_store->Submit({*ready.snapshot_save, marker})) {
      seams_.events->OnSnapshotSuperseded(*superseded, slot);
    }
  }
  return appended;
}

void NodeDriver::RequestSync() {
  if (sync_in_flight_) return;
  sync_in_flight_ = true;
  seams_.wal_executor->RequestSync();
}

void NodeDriver::OnSynced(const Status& status) {
  if (stopped_) return;
  sync_in_flight_ = false;
  const bool changed = disk_state_.Observe(status, ticks_);
  if (changed) {
    seams_.events->OnDiskFullChanged(disk_state_.disk_full(), status);
    if (core_) {
      core_->SetDiskFull(disk_state_.disk_full());
      Drain();
    }
  }
  // A full disk: retried from Tick; held replies stay held, so nothing unsynced is vouched for.
  if (status.code() == Status::Code::kNoSpace) return;
  if (!status.ok()) {
    stopped_ = true;
    seams_.events->OnFatal(Status::IOError(
        "WAL sync failed; stopping so nothing unsynced is acknowledged: " + status.ToString()));
    return;
  }
  ReleaseHeld();
  CompactIfMarkerDurable();
  const uint64_t synced = seams_.wal->synced_lsn();
  if (synced >= seams_.wal->last_lsn()) lazy_sync_tick_ = UINT64_MAX;
  if (options_.unsafe_no_fsync) return;
  // Records something waits for (a vote, a held reply, a marker) go at once; decisions appended
  // meanwhile keep their lazy deadline.
  if (needed_lsn_ > synced) RequestSync();
}

void NodeDriver::ReleaseHeld() {
  const uint64_t synced = seams_.wal->synced_lsn();
  while (!held_.empty() && (held_.front().lsn <= synced || options_.unsafe_no_fsync)) {
    seams_.transport->Send(held_.front().envelope);
    held_.pop_front();
  }
}

void NodeDriver::OnSnapshotsStored() {
  if (stopped_) return;
  if (AppendSnapshotMarkers()) {
    needed_lsn_ = seams_.wal->last_lsn();
    RequestSync();
  }
}

bool NodeDriver::AppendSnapshotMarkers() {
  bool appended = false;
  for (const SnapshotResult& result : seams_.snapshot_store->TakeFinished()) {
    // A failed save changes nothing else: the WAL keeps every slot and the next snapshot point
    // tries again.
    seams_.events->OnSnapshotStored(result);
    if (!result.status.ok() || !result.marker) continue;
    PIFLEET_ASSERT(result.marker->slot == result.slot);
    uint64_t lsn = 0;
    if (Status status = store::AppendCoreRecord(seams_.wal, *result.marker, &lsn); !status.ok()) {
      seams_.events->OnProblem(NodeEvents::Problem::kMarkerAppend, status);
      continue;
    }
    marker_lsn_ = lsn;
    marker_slot_ = result.marker->slot;
    appended = true;
  }
  return appended;
}

void NodeDriver::CompactIfMarkerDurable() {
  if (marker_lsn_ == 0 || compact_in_flight_ || seams_.wal->synced_lsn() < marker_lsn_) return;
  compact_in_flight_ = true;
  marker_lsn_ = 0;
  // Removing segments syncs the directory: off the caller's thread too.
  seams_.wal_executor->RequestCompact(marker_slot_);
}

void NodeDriver::OnCompacted(core::Slot below_slot, const Status& status, size_t segments_removed) {
  if (stopped_) return;
  compact_in_flight_ = false;
  if (!status.ok()) {
    seams_.events->OnProblem(NodeEvents::Problem::kCompaction, status);
  } else {
    seams_.events->OnCompacted(below_slot, segments_removed);
  }
  CompactIfMarkerDurable();  // a newer marker may have become durable meanwhile
}

Status NodeDriver::FinishForStop() {
  if (stopped_) return Status::Ok();
  AppendSnapshotMarkers();
  stopped_ = true;
  if (seams_.wal->last_lsn() <= seams_.wal->synced_lsn()) return Status::Ok();
  return seams_.wal->Sync();
}

void NodeDriver::Install(const core::SnapshotInstall& install, bool pulled) {
  sm::StateMachine restored;
  if (!restored.Restore(install.app_bytes)) {
    // The blob passed its hash, so this is a state machine of another format: stop rather than
    // apply later slots to the wrong state.
    stopped_ = true;
    seams_.events->OnFatal(Status::Corruption("the snapshot of slot " +
                                              std::to_string(install.slot) +
                                              " holds state machine bytes that do not decode"));
    return;
  }
  restored.SetJobStaleCanary(sm_.job_stale_canary());  // not state: a simulator's switch
  sm_ = std::move(restored);
  snapshot_app_bytes_ = install.app_bytes.size();
  applied_bytes_since_snapshot_ = 0;
  snapshot_buffer_prepared_ = false;
  seams_.events->OnInstalled(install.slot, pulled);
}

void NodeDriver::Apply(const core::Decision& decision, const std::vector<bool>& took_effect,
                       size_t* reconfigs) {
  seams_.events->BeforeDecision(decision);
  for (const core::Command& command : decision.value.commands) {
    applied_bytes_since_snapshot_ += command.payload.size();
    if (command.kind != core::CommandKind::kApp) {
      PIFLEET_ASSERT(*reconfigs < took_effect.size());
      seams_.events->OnReconfigApplied(decision.slot, command, took_effect[(*reconfigs)++]);
      continue;
    }
    const sm::KvResult result =
        sm_.Apply(decision.slot, command.client_id, command.sequence, command.payload);
    seams_.events->OnCommandApplied(decision.slot, command, result);
  }
  seams_.events->AfterDecision(decision);
}

void NodeDriver::MaybeSnapshot() {
  // A full disk could not store it; the core keeps its decisions until space returns.
  const core::Slot every = options_.snapshot_every_slots;
  if (every == 0 || disk_state_.disk_full() || core_->PullingSnapshot()) return;
  const core::Slot applied = core_->AppliedSlot();
  if (applied < core_->SnapshotSlot() + every) return;
  // A snapshot rewrites the whole state: it waits until the commands since the last one add up to
  // that state's size. So each snapshot is at most twice the commands since the last, about what
  // the WAL wrote for them (an accept and a decision each), however large the state grows
  // (SD-card wear), and a restart replays at most about one state's worth of commands.
  if (applied_bytes_since_snapshot_ < snapshot_app_bytes_) return;
  // The state machine writes its bytes straight into the core's blob, in a buffer with room for
  // it at once (at most the last snapshot plus what was applied since; pages never written cost
  // nothing): growing a large string copies it again at each doubling, on the loop.
  std::shared_ptr<std::string> blob = FreeSnapshotBuffer();
  ReserveSnapshotRoom(blob.get(), SnapshotRoomBytes(applied_bytes_since_snapshot_));
  const size_t header_bytes = core::BeginSnapshotBlob(core_->SnapshotMetaAt(applied), blob.get());
  sm_.AppendSnapshot(blob.get());
  core::EndSnapshotBlob(header_bytes, blob.get());
  const uint64_t app_bytes = blob->size() - header_bytes;
  if (Status status = core_->TakeSnapshotBlob(applied, std::move(blob)); !status.ok()) {
    seams_.events->OnProblem(NodeEvents::Problem::kSnapshotRefused, status);
    return;
  }
  snapshot_app_bytes_ = app_bytes;
  applied_bytes_since_snapshot_ = 0;
  snapshot_buffer_prepared_ = false;
  seams_.events->OnSnapshotTaken(applied);
}

uint64_t NodeDriver::SnapshotRoomBytes(uint64_t applied_bytes) const {
  // The state grows by at most about the command bytes applied to it.
  return kSnapshotHeaderBytesMax + snapshot_app_bytes_ + applied_bytes;
}

void NodeDriver::ReserveSnapshotRoom(std::string* buffer, uint64_t room) {
  buffer->clear();  // an older blob: growing would copy it for nothing
  // With a half more when it must grow: the snapshots after it, of about its size, fit as well.
  if (buffer->capacity() < room) buffer->reserve(room + room / 2);
}

void NodeDriver::MaybePrepareSnapshotBuffer() {
  // Three quarters of the way to the next snapshot (MaybeSnapshot: when the commands applied
  // since the last add up to its size), the store touches a free buffer's pages for it.
  if (snapshot_buffer_prepared_ || options_.snapshot_every_slots == 0 ||
      snapshot_app_bytes_ < kSnapshotPrepareBytesMin ||
      applied_bytes_since_snapshot_ < snapshot_app_bytes_ / 4 * 3) {
    return;
  }
  std::shared_ptr<std::string> buffer = FreePooledSnapshotBuffer();
  if (buffer == nullptr) return;  // both in use: the next tries again
  snapshot_buffer_prepared_ = true;
  const uint64_t room = SnapshotRoomBytes(snapshot_app_bytes_);  // at the earliest snapshot
  ReserveSnapshotRoom(buffer.get(), room);
  seams_.snapshot_store->Prepare(std::move(buffer), room);
}

std::shared_ptr<std::string> NodeDriver::FreePooledSnapshotBuffer() {
  // use_count() == 1: the core dropped it for a newer blob and the store finished with it;
  // nothing hands out new references but this array, so it stays free while we hold it.
  for (std::shared_ptr<std::string>& buffer : snapshot_buffers_) {
    if (buffer == nullptr) buffer = std::make_shared<std::string>();
    if (buffer.use_count() == 1) {
      // use_count() loads relaxed: this orders the store thread's last use of the buffer (its
      // release of the reference) before ours.
      std::atomic_thread_fence(std::memory_order_acquire);
      return buffer;
    }
  }
  return nullptr;
}

std::shared_ptr<std::string> NodeDriver::FreeSnapshotBuffer() {
  std::shared_ptr<std::string> buffer = FreePooledSnapshotBuffer();
  return buffer != nullptr ? buffer : std::make_shared<std::string>();  // both still in use
}

}  // namespace pifleet::node
