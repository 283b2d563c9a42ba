// The consensus core's durable records on the store: how each core::Record becomes a WAL record
// (and back), and how a node's durable state comes back at start: the newest snapshot in snap/
// and the WAL replayed over it. Shared by the agent and the simulator, so both recover alike.
#pragma once

#include <memory>
#include <string>

#include "agent/base/status.h"
#include "agent/core/durable.h"
#include "agent/core/ready.h"
#include "agent/store/env.h"
#include "agent/store/wal.h"

namespace pifleet::store {

// Queues a core record in the WAL (promise, accept, decision, snapshot marker); *lsn its place.
Status AppendCoreRecord(Wal* wal, const core::Record& record, uint64_t* lsn);
// Folds one replayed WAL record into *durable; Corruption (naming the lsn) if it does not decode.
Status FoldCoreRecord(const WalRecord& record, core::DurableState* durable);

std::string WalDir(const std::string& data_dir);
std::string SnapDir(const std::string& data_dir);

// Stores the blob of a Ready's snapshot_save as snap/<slot>.snap (durable when it returns).
Status SaveCoreSnapshot(Env* env, const std::string& data_dir, const core::SnapshotSave& save);

struct CoreRecovery {
  core::DurableState durable;
  std::shared_ptr<const std::string> snapshot;  // the newest snapshot blob, or null
  uint64_t snapshot_slot = 0;
  size_t snapshot_temp_files_removed = 0;  // left by a crash during a save or a transfer
  WalRecoveryReport report;
  std::unique_ptr<Wal> wal;
};

// Opens data_dir's WAL (see Wal::Open for torn tails and corruption) and its newest snapshot,
// and removes snapshot temp files a crash left behind.
// Corruption when the log's newest snapshot marker names a snapshot that no intact file holds
// (the WAL below it is compacted away, so this node's acceptor state is incomplete).
Status RecoverCore(Env* env, const std::string& data_dir, const WalOptions& options,
                   CoreRecovery* out);

}  // namespace pifleet::store
