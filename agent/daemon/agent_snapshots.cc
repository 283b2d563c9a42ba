// Snapshots and WAL compaction in the agent: the core's records go to the WAL, its snapshot
// blobs to snap/ through the SnapshotWriter thread; a blob's marker is appended only once its
// file is durable. Every kSnapshotEverySlots applied slots the state machine is snapshotted;
// once a marker is synced the WAL is compacted below it; a snapshot pulled from a peer replaces
// the state machine.
#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/store/core_log.h"

namespace pifleet::daemon {
namespace {

// 1000 slots: at the agent's batch sizes a few thousand commands, so a restart replays at most
// that much from the WAL and a lagging node pulls a snapshot at most that old.
constexpr core::Slot kSnapshotEverySlots = 1000;

}  // namespace

void Agent::PersistReady(const core::Ready& ready, bool* failed) {
  std::optional<core::SnapshotRecord> marker;
  for (const core::Record& record : ready.records) {
    if (const auto* snapshot = std::get_if<core::SnapshotRecord>(&record)) {
      // A marker promises a stored snapshot: it waits for the writer (AppendSnapshotMarkers).
      // One without its blob in this Ready could never be vouched for, so it is dropped.
      if (ready.snapshot_save && ready.snapshot_save->slot == snapshot->slot) marker = *snapshot;
      continue;
    }
    uint64_t lsn = 0;
    const Status status = store::AppendCoreRecord(wal_.get(), record, &lsn);
    if (!status.ok()) {
      *failed = true;
      log_->LogLimited("wal-append", ticks_ * core::kTickMs, Level::kError,
                       "WAL append refused; not voting until it is durable: " + status.ToString());
    }
  }
  if (!ready.snapshot_save) return;
  if (const auto superseded = snapshot_writer_->Submit({*ready.snapshot_save, marker})) {
    log_->Log(Level::kInfo, "snapshot superseded before it was stored",
              {{"SLOT", std::to_string(*superseded)},
               {"BY_SLOT", std::to_string(ready.snapshot_save->slot)}});
  }
}

void Agent::OnSnapshotsWritten() {
  if (AppendSnapshotMarkers() && !sync_in_flight_) {
    sync_in_flight_ = true;
    sync_worker_->Request();
  }
}

bool Agent::AppendSnapshotMarkers() {
  bool appended = false;
  for (const SnapshotWriter::Result& result : snapshot_writer_->TakeFinished()) {
    if (!result.status.ok()) {
      // Nothing else changes: the WAL keeps every slot and the next snapshot point tries again.
      // A full disk is logged once until a snapshot is stored again.
      const bool no_space = result.status.code() == Status::Code::kNoSpace;
      if (!no_space || !snapshot_no_space_logged_) {
        log_->Log(Level::kError, "cannot store a snapshot; the WAL is not compacted",
                  {{"SLOT", std::to_string(result.slot)}, {"DETAIL", result.status.ToString()}});
      }
      snapshot_no_space_logged_ = snapshot_no_space_logged_ || no_space;
      continue;
    }
    snapshot_no_space_logged_ = false;
    log_->Log(Level::kInfo, "snapshot stored",
              {{"SLOT", std::to_string(result.slot)},
               {"BYTES", std::to_string(result.bytes)},
               {"WRITE_MS", std::to_string(result.write_ms)}});
    if (!result.marker) continue;
    uint64_t lsn = 0;
    if (Status status = store::AppendCoreRecord(wal_.get(), *result.marker, &lsn); !status.ok()) {
      log_->LogLimited(
          "wal-append", ticks_ * core::kTickMs, Level::kError,
          "snapshot marker not appended; the WAL is not compacted: " + status.ToString());
      continue;
    }
    marker_lsn_ = lsn;
    marker_slot_ = result.marker->slot;
    appended = true;
  }
  return appended;
}

void Agent::InstallSnapshot(const core::SnapshotInstall& install) {
  sm::StateMachine restored;
  if (!restored.Restore(install.app_bytes)) {
    // The blob passed its hash, so this is a state machine of another format: stop rather than
    // apply later slots to the wrong state.
    log_->Log(Level::kError, "a snapshot's state machine bytes do not decode; stopping",
              {{"SLOT", std::to_string(install.slot)}});
    exit_code_ = 1;
    io_.stop();
    return;
  }
  sm_ = std::move(restored);
  log_->Log(Level::kNotice, "state restored from a snapshot",
            {{"SLOT", std::to_string(install.slot)}});
  AdoptClusterKeys();
}

void Agent::MaybeSnapshot() {
  // A full disk could not store it; the core keeps its decisions until space returns.
  if (!core_ || disk_state_.disk_full() || core_->PullingSnapshot()) return;
  const core::Slot applied = core_->AppliedSlot();
  if (applied < core_->SnapshotSlot() + kSnapshotEverySlots) return;
  if (Status status = core_->TakeSnapshot(applied, sm_.Snapshot()); !status.ok()) {
    log_->Log(Level::kError, "snapshot refused: " + status.ToString());
  }
}

void Agent::CompactIfMarkerDurable() {
  if (marker_lsn_ == 0 || wal_->synced_lsn() < marker_lsn_) return;
  size_t removed = 0;
  // Compaction runs on the loop: it rewrites wal/head (temp file, fdatasync, rename, dir fsync)
  // and removes files, once per snapshot (every 1000 slots).
  if (Status status = wal_->Compact(marker_slot_, &removed); !status.ok()) {
    log_->Log(Level::kWarning, "WAL compaction failed: " + status.ToString());
  } else if (removed > 0) {
    log_->Log(Level::kInfo, "WAL compacted",
              {{"BELOW_SLOT", std::to_string(marker_slot_)},
               {"SEGMENTS_REMOVED", std::to_string(removed)}});
  }
  marker_lsn_ = 0;
}

}  // namespace pifleet::daemon
