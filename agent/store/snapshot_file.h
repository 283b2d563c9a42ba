// Snapshot files: snap/<slot, 20 digits>.snap holds the state machine's bytes at a slot.
// Written atomically (temp file, fsync, rename, fsync dir); read back whole with every checksum
// verified, or chunk by chunk for a transfer to a new or lagging node, whose receiver verifies
// the whole blob's checksum before the file takes its final name.
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
  uint64_t chunk_count() const;
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

// Serves fixed-size chunks (kSnapshotChunkBytes; the last one shorter) of one snapshot.
class SnapshotChunkReader {
 public:
  static Status Open(Env* env, const std::string& path, std::unique_ptr<SnapshotChunkReader>* out);
  const SnapshotInfo& info() const { return info_; }
  // index < info().chunk_count()
  Status ReadChunk(uint64_t index, std::string* chunk);

 private:
  SnapshotChunkReader(SnapshotInfo info, std::unique_ptr<RandomAccessFile> file);
  SnapshotInfo info_;
  std::unique_ptr<RandomAccessFile> file_;
};

// Receives chunks in order (a pull) into a temp file; Finish() verifies and installs it.
class SnapshotReceiver {
 public:
  SnapshotReceiver(Env* env, std::string snap_dir);
  // The slot, size and crc come from the sender's SnapshotInfo.
  Status Begin(uint64_t slot, uint64_t blob_bytes, uint32_t blob_crc);
  // Chunks must arrive as 0, 1, 2...; a wrong index or size is InvalidArgument.
  Status AddChunk(uint64_t index, std::string_view chunk);
  uint64_t next_chunk() const { return next_chunk_; }
  Status Finish(SnapshotInfo* info);

 private:
  Env* env_;
  std::string snap_dir_;
  SnapshotInfo info_;
  std::unique_ptr<WritableFile> file_;
  std::string tmp_path_;
  uint64_t next_chunk_ = 0;
  uint64_t received_bytes_ = 0;
  uint32_t running_crc_ = 0;
};

}  // namespace pifleet::store
