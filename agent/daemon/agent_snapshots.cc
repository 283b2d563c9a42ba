// Snapshots and WAL compaction in the agent: the core's records go to the WAL, its snapshot
// blobs to snap/ (fsynced before their marker is appended); every kSnapshotEverySlots applied
// slots the state machine is snapshotted; once a marker is durable the WAL is compacted below
// it; a snapshot pulled from a peer replaces the state machine.
#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/store/core_log.h"
#include "agent/store/posix_env.h"

namespace pifleet::daemon {
namespace {

// 1000 slots: at the agent's batch sizes a few thousand commands, so a restart replays at most
// that much from the WAL and a lagging node pulls a snapshot at most that old.
constexpr core::Slot kSnapshotEverySlots = 1000;

}  // namespace

void Agent::PersistReady(const core::Ready& ready, bool* failed) {
  bool saved = true;
  if (ready.snapshot_save) {
    const Status status =
        store::SaveCoreSnapshot(store::PosixEnv(), config_.data_dir, *ready.snapshot_save);
    saved = status.ok();
    if (saved) {
      log_->Log(Level::kInfo, "snapshot stored",
                {{"SLOT", std::to_string(ready.snapshot_save->slot)},
                 {"BYTES", std::to_string(ready.snapshot_save->blob->size())}});
    } else {
      log_->Log(Level::kError, "cannot store a snapshot; the WAL is not compacted",
                {{"DETAIL", status.ToString()}});
    }
  }
  for (const core::Record& record : ready.records) {
    const auto* marker = std::get_if<core::SnapshotRecord>(&record);
    if (marker && !saved) continue;  // a marker promises a stored snapshot
    uint64_t lsn = 0;
    const Status status = store::AppendCoreRecord(wal_.get(), record, &lsn);
    if (!status.ok()) {
      *failed = true;
      log_->LogLimited("wal-append", ticks_ * core::kTickMs, Level::kError,
                       "WAL append refused; not voting until it is durable: " + status.ToString());
    } else if (marker) {
      marker_lsn_ = lsn;
      marker_slot_ = marker->slot;
    }
  }
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
  if (!core_ || core_->PullingSnapshot()) return;
  const core::Slot applied = core_->AppliedSlot();
  if (applied < core_->SnapshotSlot() + kSnapshotEverySlots) return;
  if (Status status = core_->TakeSnapshot(applied, sm_.Snapshot()); !status.ok()) {
    log_->Log(Level::kError, "snapshot refused: " + status.ToString());
  }
}

void Agent::CompactIfMarkerDurable() {
  if (marker_lsn_ == 0 || wal_->synced_lsn() < marker_lsn_) return;
  size_t removed = 0;
  // Compaction runs on the loop: it only removes files (and syncs the directory).
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
