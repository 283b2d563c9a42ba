// Snapshot files: snap/<slot, 20 digits>.snap holds the state machine's bytes at a slot.
// Written atomically (temp file, fsync, rename, fsync dir); read back whole with every checksum
// verified. A transfer to a new or lagging node goes chunk by chunk from the core's in-memory
// blob (agent/core/snapshot_pull.h); the receiver writes the blob it assembled with
// WriteSnapshot like its own.
//
// Header (36 bytes, little-endian): "PFSN" | version u8 | 3 zero bytes | slot u64 |
// blob bytes u64 | masked crc32c of the blob u32 | chunk bytes u32 | masked crc32c of the
// preceding 32 header bytes u32. The blob follows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/store/env.h"

namespace pifleet::store {

inline constexpr size_t kSnapshotHeaderBytes = 36;

struct SnapshotInfo {
  std::string path;
  uint64_t slot = 0;
  uint64_t blob_bytes = 0;
  uint32_t blob_crc = 0;  // crc32c, unmasked
};

std::string SnapshotFileName(uint64_t slot);

// Writes the snapshot and then removes all but the newest kSnapshotsKept snapshots.
Status WriteSnapshot(Env* env, const std::string& snap_dir, uint64_t slot, std::string_view blob);
// Removes the "*.tmp" files a crash left in snap_dir (a save or a transfer cut short, never
// renamed); *removed counts them. Only while nothing writes snapshots: at start.
Status RemoveSnapshotTempFiles(Env* env, const std::string& snap_dir, size_t* removed);
// The newest snapshot whose header is intact; NotFound if there is none.
Status FindLatestSnapshot(Env* env, const std::string& snap_dir, SnapshotInfo* info);
// Reads and verifies a whole snapshot.
Status ReadSnapshot(Env* env, const std::string& path, SnapshotInfo* info, std::string* blob);

}  // namespace pifleet::store
