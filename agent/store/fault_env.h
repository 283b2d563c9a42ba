// An in-memory disk for tests and the simulator that injects the faults a real disk has:
// - Crash(): every file falls back to its synced bytes (optionally keeping a torn prefix of the
//   unsynced bytes), directory entries fall back to the last SyncDir, open handles die;
// - FlipBit(): a bit changes on the medium (data at rest, synced or not);
// - a byte limit after which writes fail with NoSpace;
// - a simulated fdatasync latency in ticks that the caller reads (no clocks here).
// Seeded and deterministic: the same seed and the same calls give the same disk.
// Thread-safe (the WAL may sync from a worker thread).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include "agent/store/env.h"

namespace pifleet::store {

class FaultEnv final : public Env {
 public:
  enum class CrashMode {
    kDropUnsynced,  // only synced bytes survive
    kTornTail,      // per file, a seeded random prefix of the unsynced bytes survives
  };

  struct SyncStats {
    uint64_t file_syncs = 0;
    uint64_t dir_syncs = 0;
    uint64_t latency_ticks_total = 0;
    uint64_t last_latency_ticks = 0;
  };

  explicit FaultEnv(uint64_t seed);
  ~FaultEnv() override;

  // --- faults ---
  void Crash(CrashMode mode);
  // A crash in which `path` keeps exactly keep_unsynced_bytes of its unsynced bytes (clamped)
  // and every other file keeps none: the exhaustive torn-write tests walk every cut.
  void CrashKeeping(const std::string& path, uint64_t keep_unsynced_bytes);
  // Flips one bit of the stored bytes; false if the file or offset does not exist.
  bool FlipBit(const std::string& path, uint64_t offset, int bit);
  // Total bytes all files may hold; an Append past it fails with NoSpace and writes nothing.
  // UINT64_MAX (the default) means unlimited.
  void SetSpaceLimitBytes(uint64_t bytes);
  // The next `count` file Syncs fail with IOError and make nothing durable (a crash during
  // fdatasync, or a disk that reported an error).
  void FailNextSyncs(int count);
  // Every file Sync costs a latency drawn uniformly from [min, max] ticks.
  void SetSyncLatencyTicks(uint64_t min_ticks, uint64_t max_ticks);

  // --- observation ---
  SyncStats sync_stats() const;
  uint64_t used_bytes() const;
  // Bytes of path that a crash now would keep (the synced prefix).
  uint64_t SyncedBytes(const std::string& path) const;

  // --- Env ---
  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* out) override;
  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* out) override;
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override;
  Status NewAppendableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override;
  bool FileExists(const std::string& path) override;
  Status GetFileSize(const std::string& path, uint64_t* bytes) override;
  Status GetFileMode(const std::string& path, uint32_t* mode) override;
  Status TruncateFile(const std::string& path, uint64_t bytes) override;
  Status GetFreeBytes(const std::string& dir, uint64_t* bytes) override;
  // Held until the lock is destroyed or the disk crashes (the holding process died). The lock
  // must not outlive this FaultEnv.
  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override;

  struct Inode {
    std::string data;
    uint64_t synced_bytes = 0;
  };

 private:
  class File;
  friend class File;
  class Lock;
  friend class Lock;

  Status OpenForWrite(const std::string& path, bool truncate, std::unique_ptr<WritableFile>* out);
  Status ReadAt(const std::shared_ptr<Inode>& inode, uint64_t generation, uint64_t offset, size_t n,
                std::string* out);
  Status AppendTo(const std::shared_ptr<Inode>& inode, uint64_t generation, const std::string& path,
                  std::string_view data);
  Status SyncInode(const std::shared_ptr<Inode>& inode, uint64_t generation,
                   const std::string& path);
  uint64_t UsedBytesLocked() const;
  uint64_t NextRandom(uint64_t bound);  // uniform-ish in [0, bound]
  void CrashLocked(CrashMode mode, const std::string& keep_path, uint64_t keep_bytes);

  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  // The names a process sees now, and the names a crash would leave (as of each SyncDir).
  std::map<std::string, std::shared_ptr<Inode>> live_;
  std::map<std::string, std::shared_ptr<Inode>> durable_;
  std::set<std::string> dirs_;
  // Bumped by every crash; handles opened before it fail.
  uint64_t generation_ = 0;
  uint64_t space_limit_bytes_ = UINT64_MAX;
  int failing_syncs_ = 0;
  uint64_t sync_latency_min_ticks_ = 0;
  uint64_t sync_latency_max_ticks_ = 0;
  SyncStats stats_;
  // Held locks: path -> the token of the Lock that holds it.
  std::map<std::string, uint64_t> locks_;
  uint64_t next_lock_token_ = 1;
};

}  // namespace pifleet::store
