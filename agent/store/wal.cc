#include "agent/store/wal.h"

#include <cinttypes>
#include <cstdio>
#include <vector>

#include "agent/base/assert.h"
#include "agent/store/crc32c.h"

namespace pifleet::store {

Wal::Wal(Env* env, std::string dir, const WalOptions& options)
    : env_(env), dir_(std::move(dir)), options_(options) {}

Wal::~Wal() = default;

std::string Wal::SegmentPath(uint64_t number) const { return WalSegmentPath(dir_, number); }

Wal::Carried* Wal::CarriedFor(RecordKind kind) {
  if (kind == RecordKind::kPromise) return &promise_;
  if (kind == RecordKind::kSnapshotMarker) return &marker_;
  return nullptr;
}

uint64_t Wal::last_lsn() const {
  std::lock_guard lock(mu_);
  return next_lsn_ - 1;
}

WalStats Wal::stats() const {
  WalStats stats;
  {
    std::lock_guard lock(mu_);
    stats.segments = segments_.size();
    for (const Segment& segment : segments_) stats.bytes += segment.bytes;
    stats.appended_records = appended_records_;
  }
  stats.syncs = syncs_.load(std::memory_order_relaxed);
  return stats;
}

Wal::Chunk* Wal::ChunkForTailLocked() {
  const uint64_t tail = segments_.back().number;
  if (pending_.empty() || pending_.back().segment != tail) {
    pending_.emplace_back();
    pending_.back().segment = tail;
    pending_.back().last_lsn = next_lsn_ - 1;
  }
  return &pending_.back();
}

void Wal::NoteRecordLocked(RecordKind kind, uint64_t slot, std::string_view payload, uint64_t lsn,
                           Segment* segment) {
  if (IsSlotScoped(kind)) {
    segment->max_slot = segment->has_slot_records ? std::max(segment->max_slot, slot) : slot;
    segment->has_slot_records = true;
  }
  if (Carried* carried = CarriedFor(kind)) {
    carried->present = true;
    carried->lsn = lsn;
    carried->segment = segment->number;
    carried->slot = slot;
    carried->payload.assign(payload);
  }
}

uint64_t Wal::AppendLocked(RecordKind kind, uint64_t slot, std::string_view payload) {
  Chunk* chunk = ChunkForTailLocked();
  const uint64_t lsn = next_lsn_++;
  const size_t before = chunk->bytes.size();
  const std::string body = EncodeRecordBody(kind, slot, payload);
  last_body_crc_ = crc32c::Value(body.data(), body.size());
  writer_.AddRecord(body, &chunk->bytes);
  pending_bytes_ += chunk->bytes.size() - before;
  chunk->last_lsn = lsn;
  if (kind == RecordKind::kSnapshotMarker) {
    chunk->marker_slot_max = chunk->has_marker ? std::max(chunk->marker_slot_max, slot) : slot;
    chunk->has_marker = true;
  }
  Segment& segment = segments_.back();
  segment.bytes = writer_.file_bytes();
  NoteRecordLocked(kind, slot, payload, lsn, &segment);
  ++appended_records_;
  return lsn;
}

void Wal::StartSegmentLocked(uint64_t number) {
  PIFLEET_ASSERT(segments_.empty() || segments_.back().number + 1 == number);
  Segment segment;
  segment.number = number;
  segment.first_lsn = next_lsn_;
  segments_.push_back(segment);
  writer_ = log::Writer(0);
  Chunk* chunk = ChunkForTailLocked();
  PIFLEET_ASSERT(chunk->bytes.empty() && chunk->header.empty());
  SegmentHeader header;
  header.node_id = options_.node_id;
  header.first_lsn = next_lsn_;
  header.prev_crc = last_body_crc_;
  const std::string body =
      EncodeRecordBody(RecordKind::kSegmentHeader, number, EncodeSegmentHeader(header));
  last_body_crc_ = crc32c::Value(body.data(), body.size());
  writer_.AddRecord(body, &chunk->header);
  pending_bytes_ += chunk->header.size();
  segments_.back().bytes = writer_.file_bytes();
  // Copies keep the newest promise and marker in a young segment, so old ones can go.
  for (Carried* carried : {&promise_, &marker_}) {
    if (!carried->present) continue;
    const RecordKind kind =
        carried == &promise_ ? RecordKind::kPromise : RecordKind::kSnapshotMarker;
    const std::string payload = carried->payload;
    AppendLocked(kind, carried->slot, payload);
  }
  segments_.back().copies_end_lsn = next_lsn_;
}

Status Wal::Append(RecordKind kind, uint64_t slot, std::string_view payload, uint64_t* lsn) {
  PIFLEET_ASSERT_MSG(
      kind != RecordKind::kSegmentHeader && static_cast<uint8_t>(kind) <= kRecordKindMax,
      "callers append promise / accept / decision / snapshot-marker records only");
  const uint64_t encoded_max = LogEncodedBytesMax(kWalRecordPrefixBytes + payload.size());
  if (payload.size() > kWalPayloadBytesMax || encoded_max * 4 > options_.segment_bytes) {
    return Status::InvalidArgument("wal record payload of " + std::to_string(payload.size()) +
                                   " bytes is too large");
  }
  std::lock_guard lock(mu_);
  if (pending_bytes_ + encoded_max > kWalPendingBytesMax) {
    return Status::NoSpace("wal: " + std::to_string(pending_bytes_) +
                           " bytes already wait for a sync in " + dir_);
  }
  if (writer_.file_bytes() + encoded_max > options_.segment_bytes) {
    StartSegmentLocked(segments_.back().number + 1);
  }
  *lsn = AppendLocked(kind, slot, payload);
  return Status::Ok();
}

// A segment file is named only once its header is durable (temp file, fdatasync, rename,
// directory fsync), and wal/head then names it: a segment without a header is never a crash.
Status Wal::CreateSegmentFile(uint64_t segment, const std::string& header) {
  PIFLEET_ASSERT(!header.empty());
  const std::string path = SegmentPath(segment);
  const std::string tmp_path = path + ".tmp";
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(tmp_path, &file);
  if (s.ok()) s = file->Append(header);
  if (s.ok()) {
    s = file->Sync();
    syncs_.fetch_add(1, std::memory_order_relaxed);
  }
  if (s.ok()) s = file->Close();
  if (s.ok()) s = env_->RenameFile(tmp_path, path);
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) return s;
  WalHead head = head_;
  head.node_id = options_.node_id;
  head.newest = segment;
  if (head.oldest == 0) head.oldest = segment;
  s = WriteWalHead(env_, dir_, head);
  syncs_.fetch_add(1, std::memory_order_relaxed);
  if (s.ok()) head_ = head;
  return s;
}

Status Wal::EnsureFile(const Chunk& chunk) {
  const uint64_t segment = chunk.segment;
  if (file_ != nullptr && file_segment_ == segment) return Status::Ok();
  Status s;
  if (file_segment_ == segment) {
    // A failed sync left unknown bytes after the durable ones: cut them, then append again.
    s = env_->TruncateFile(SegmentPath(segment), file_durable_bytes_);
    if (s.ok()) s = env_->NewAppendableFile(SegmentPath(segment), &file_);
  } else {
    if (file_ != nullptr) s = file_->Close();
    file_.reset();
    if (s.ok()) s = CreateSegmentFile(segment, chunk.header);
    if (s.ok()) {
      file_segment_ = segment;
      file_durable_bytes_ = chunk.header.size();
      s = env_->NewAppendableFile(SegmentPath(segment), &file_);
    }
  }
  if (!s.ok()) file_.reset();
  return s;
}

void Wal::Publish(const Chunk& chunk) {
  synced_lsn_.store(chunk.last_lsn, std::memory_order_release);
  if (chunk.has_marker) {
    std::lock_guard lock(mu_);
    durable_marker_slot_ = durable_marker_ ? std::max(durable_marker_slot_, chunk.marker_slot_max)
                                           : chunk.marker_slot_max;
    durable_marker_ = true;
  }
}

// Writes chunks in order and syncs a segment file once, after its last chunk. *chunks_synced
// counts the chunks that are durable (a prefix of *chunks).
Status Wal::WriteChunks(std::deque<Chunk>* chunks, size_t* chunks_synced) {
  *chunks_synced = 0;
  for (size_t i = 0; i < chunks->size(); ++i) {
    const Chunk& chunk = (*chunks)[i];
    Status s = EnsureFile(chunk);
    if (s.ok()) s = file_->Append(chunk.bytes);
    const bool last_for_file = i + 1 == chunks->size() || (*chunks)[i + 1].segment != chunk.segment;
    if (s.ok() && last_for_file) {
      s = file_->Sync();
      syncs_.fetch_add(1, std::memory_order_relaxed);
    }
    if (!s.ok()) {
      file_.reset();
      return s;
    }
    if (!last_for_file) continue;
    // Chunks *chunks_synced..i all belong to this file.
    for (size_t j = *chunks_synced; j <= i; ++j) {
      file_durable_bytes_ += (*chunks)[j].bytes.size();
      Publish((*chunks)[j]);
    }
    *chunks_synced = i + 1;
  }
  return Status::Ok();
}

Status Wal::Sync() {
  std::lock_guard sync_lock(sync_mu_);
  std::deque<Chunk> chunks;
  {
    std::lock_guard lock(mu_);
    chunks.swap(pending_);
    pending_bytes_ = 0;
  }
  size_t chunks_synced = 0;
  Status s = WriteChunks(&chunks, &chunks_synced);
  no_space_.store(s.code() == Status::Code::kNoSpace, std::memory_order_release);
  if (!s.ok()) {
    // Keep every record not yet durable, ahead of anything appended meanwhile.
    std::lock_guard lock(mu_);
    for (size_t i = chunks.size(); i > chunks_synced; --i) {
      pending_bytes_ += chunks[i - 1].header.size() + chunks[i - 1].bytes.size();
      pending_.push_front(std::move(chunks[i - 1]));
    }
  }
  return s;
}

Status Wal::Compact(uint64_t snapshot_slot, size_t* segments_removed) {
  *segments_removed = 0;
  std::lock_guard sync_lock(sync_mu_);  // only Compact removes segments, so they stay put
  std::vector<uint64_t> removable;
  uint64_t kept_oldest = 0;
  {
    std::lock_guard lock(mu_);
    if (!durable_marker_ || durable_marker_slot_ < snapshot_slot) {
      return Status::InvalidArgument("wal compaction below slot " + std::to_string(snapshot_slot) +
                                     " needs a durable snapshot marker at or above it");
    }
    const uint64_t synced = synced_lsn();
    for (size_t i = 0; i + 1 < segments_.size(); ++i) {
      const Segment& oldest = segments_[i];
      if (oldest.has_slot_records && oldest.max_slot >= snapshot_slot) break;
      // The next segment's header and its copies of the newest promise and marker must be
      // durable: after that nothing in the oldest segment is needed by a recovery.
      const Segment& next = segments_[i + 1];
      if (synced + 1 < std::max(next.first_lsn + 1, next.copies_end_lsn)) break;
      for (const Carried* carried : {&promise_, &marker_}) {
        PIFLEET_ASSERT_MSG(
            !carried->present || carried->segment > oldest.number,
            "every newer segment starts with a copy of the newest promise and marker");
      }
      removable.push_back(oldest.number);
      kept_oldest = next.number;
    }
  }
  if (removable.empty()) return Status::Ok();
  // wal/head first: a crash before the removals leaves extra old segments, never a missing one.
  WalHead head = head_;
  head.oldest = kept_oldest;
  Status s = WriteWalHead(env_, dir_, head);
  syncs_.fetch_add(1, std::memory_order_relaxed);
  // A full disk postpones compaction (nothing removed, Ok): the next one tries again.
  if (s.code() == Status::Code::kNoSpace) return Status::Ok();
  if (!s.ok()) return s;
  head_ = head;
  for (uint64_t number : removable) {
    s = env_->RemoveFile(SegmentPath(number));
    if (!s.ok()) break;
    ++*segments_removed;
  }
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < *segments_removed; ++i) segments_.pop_front();
  }
  if (*segments_removed > 0) {
    const Status dir_status = env_->SyncDir(dir_);
    if (s.ok()) s = dir_status;
  }
  return s;
}

}  // namespace pifleet::store
