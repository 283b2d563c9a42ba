// The write-ahead log: numbered 64 MiB segments in the LevelDB log format, one typed opaque
// record per Append, group commit, recovery and compaction. Layout and rules: docs/formats.md
// and docs/storage.md.
//
// Threads: Append() is cheap (encodes into memory) and may run on the event loop; Sync() writes
// everything appended before it and fdatasyncs once per segment touched, and is meant to run on
// a worker. Both are thread-safe. A reply that depends on a record (promise, accepted) must wait
// until synced_lsn() >= the record's lsn.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/store/env.h"
#include "agent/store/log_writer.h"
#include "agent/store/store_constants.h"
#include "agent/store/wal_head.h"
#include "agent/store/wal_record.h"

namespace pifleet::store {

struct WalOptions {
  uint64_t segment_bytes = kWalSegmentBytes;  // tests use small segments to exercise rollover
  // This node's id: written into every segment header and wal/head, and checked against them
  // at Open (a segment from another node is refused). 0: not checked (storage tests).
  uint64_t node_id = 0;
};

struct WalRecoveryReport {
  uint64_t segments = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t last_lsn = 0;
  bool torn_tail = false;  // the newest segment ended in a torn write and was cut
  std::string torn_file;
  uint64_t torn_offset = 0;  // the segment's new length
  uint64_t torn_bytes_dropped = 0;
  // One line for the log: "wal: 3 segments, 1200 records ...; torn tail in ... cut at ...".
  std::string ToString() const;
};

struct WalStats {
  uint64_t segments = 0;
  uint64_t bytes = 0;  // encoded bytes of the live segments, synced or not
  uint64_t syncs = 0;  // fdatasync calls on WAL files (segments, a new segment's header, head)
  uint64_t appended_records = 0;
};

class Wal {
 public:
  using Visitor = std::function<Status(const WalRecord&)>;

  // Opens the WAL in dir (created if missing) and hands every durable record to visitor in
  // order (if Open then fails, discard what the visitor saw). A torn tail is cut (durably) and
  // reported; damage anywhere else is a Corruption that names file and offset, and the node must
  // not start (docs/storage.md: `pifleet repair`). A visitor error stops the replay and is
  // returned. Writing resumes in a new segment.
  static Status Open(Env* env, std::string dir, const WalOptions& options, const Visitor& visitor,
                     std::unique_ptr<Wal>* wal, WalRecoveryReport* report);

  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Queues a record; *lsn is its position. Durable only after a Sync() that started later.
  // kind must not be kSegmentHeader; payload at most kWalPayloadBytesMax and a quarter segment.
  // NoSpace when kWalPendingBytesMax bytes already wait for a sync.
  Status Append(RecordKind kind, uint64_t slot, std::string_view payload, uint64_t* lsn);

  // Group commit. On NoSpace (or any I/O error) nothing queued is lost: the records stay queued,
  // the segment is cut back to its last synced length and the next Sync() retries.
  Status Sync();

  // Removes whole segments, oldest first, whose accept/decision records are all below
  // snapshot_slot, as long as the newest promise and snapshot marker stay durable in a later
  // segment. Needs a durable snapshot marker at snapshot_slot or above. First rewrites wal/head
  // (two fdatasyncs); when the disk is full for that, removes nothing and returns Ok.
  Status Compact(uint64_t snapshot_slot, size_t* segments_removed);

  uint64_t synced_lsn() const { return synced_lsn_.load(std::memory_order_acquire); }
  uint64_t last_lsn() const;
  // The last Sync() failed for want of space; appends still queue in memory.
  bool no_space() const { return no_space_.load(std::memory_order_acquire); }
  WalStats stats() const;

 private:
  struct Segment {
    uint64_t number = 0;
    uint64_t first_lsn = 0;       // lsn of its first record after the header
    uint64_t copies_end_lsn = 0;  // lsn just past the carried copies at its start
    uint64_t bytes = 0;
    bool has_slot_records = false;
    uint64_t max_slot = 0;  // of accept / decision records
  };
  // Bytes appended but not yet synced, all for one segment.
  struct Chunk {
    uint64_t segment = 0;
    std::string header;  // a new segment's header record, written before the file is named
    std::string bytes;
    uint64_t last_lsn = 0;
    bool has_marker = false;
    uint64_t marker_slot_max = 0;
  };
  // The newest promise or snapshot marker, copied into every new segment.
  struct Carried {
    bool present = false;
    uint64_t lsn = 0;
    uint64_t segment = 0;
    uint64_t slot = 0;
    std::string payload;
  };

  Wal(Env* env, std::string dir, const WalOptions& options);

  Status Recover(const Visitor& visitor, WalRecoveryReport* report);
  Status RecoverSegment(uint64_t number, bool is_newest, const Visitor& visitor,
                        WalRecoveryReport* report);
  Status CheckSegmentHeader(const std::string& path, uint64_t offset, const std::string& body,
                            uint64_t number, Segment* segment);
  Status ReplayRecord(const std::string& path, uint64_t offset, const std::string& body,
                      Segment* segment, const Visitor& visitor);
  void NoteRecordLocked(RecordKind kind, uint64_t slot, std::string_view payload, uint64_t lsn,
                        Segment* segment);
  void StartSegmentLocked(uint64_t number);
  uint64_t AppendLocked(RecordKind kind, uint64_t slot, std::string_view payload);
  Chunk* ChunkForTailLocked();
  Status WriteChunks(std::deque<Chunk>* chunks, size_t* chunks_synced);
  Status EnsureFile(const Chunk& chunk);
  Status CreateSegmentFile(uint64_t segment, const std::string& header);
  void Publish(const Chunk& chunk);
  std::string SegmentPath(uint64_t number) const;
  Carried* CarriedFor(RecordKind kind);

  Env* const env_;
  const std::string dir_;
  const WalOptions options_;

  // Serialises Sync and Compact; guards the open segment file. Taken before mu_.
  std::mutex sync_mu_;
  std::unique_ptr<WritableFile> file_;
  uint64_t file_segment_ = 0;
  uint64_t file_durable_bytes_ = 0;
  WalHead head_;                    // what wal/head says, or will once written
  std::atomic<uint64_t> syncs_{0};  // read by stats() without sync_mu_

  mutable std::mutex mu_;  // guards everything below
  std::deque<Segment> segments_;
  log::Writer writer_;  // encodes the newest segment
  uint64_t next_lsn_ = 1;
  std::deque<Chunk> pending_;
  uint64_t pending_bytes_ = 0;
  Carried promise_;
  Carried marker_;
  uint64_t appended_records_ = 0;
  uint32_t last_body_crc_ = 0;    // of the newest record (header included), for the next header
  uint32_t header_prev_crc_ = 0;  // recovery: the newest segment header's prev_crc

  std::atomic<uint64_t> synced_lsn_{0};
  std::atomic<bool> no_space_{false};
  bool durable_marker_ = false;  // guarded by mu_
  uint64_t durable_marker_slot_ = 0;
};

}  // namespace pifleet::store
