// Wal::Open: find the segments, replay them strictly, cut a torn tail, resume in a new segment.
#include <cinttypes>
#include <cstdio>

#include "agent/store/crc32c.h"
#include "agent/store/log_reader.h"
#include "agent/store/wal.h"

namespace pifleet::store {
namespace {

constexpr std::string_view kSegmentSuffix = ".wal";  // see WalSegmentPath
constexpr size_t kSegmentDigits = 20;

bool ParseSegmentName(const std::string& name, uint64_t* number) {
  if (name.size() != kSegmentDigits + kSegmentSuffix.size() ||
      name.compare(kSegmentDigits, kSegmentSuffix.size(), kSegmentSuffix) != 0) {
    return false;
  }
  uint64_t value = 0;
  for (size_t i = 0; i < kSegmentDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    value = value * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *number = value;
  return value > 0;
}

Status CorruptAt(const std::string& path, uint64_t offset, const std::string& what) {
  return Status::Corruption(path + " offset " + std::to_string(offset) + ": " + what);
}

}  // namespace

std::string WalRecoveryReport::ToString() const {
  std::string text = "wal: " + std::to_string(segments) + " segments, " + std::to_string(records) +
                     " records, " + std::to_string(bytes) + " bytes, last lsn " +
                     std::to_string(last_lsn);
  if (torn_tail) {
    text += "; torn tail in " + torn_file + " cut at offset " + std::to_string(torn_offset) + " (" +
            std::to_string(torn_bytes_dropped) + " unsynced bytes dropped)";
  }
  return text;
}

Status Wal::Open(Env* env, std::string dir, const WalOptions& options, const Visitor& visitor,
                 std::unique_ptr<Wal>* wal, WalRecoveryReport* report) {
  if (options.segment_bytes < 4 * kLogBlockBytes) {
    return Status::InvalidArgument("wal segment size must be at least 4 blocks");
  }
  *report = WalRecoveryReport();
  Status s = env->CreateDir(dir);
  if (!s.ok()) return s;
  std::unique_ptr<Wal> result(new Wal(env, std::move(dir), options));
  s = result->Recover(visitor, report);
  if (!s.ok()) return s;
  *wal = std::move(result);
  return Status::Ok();
}

Status Wal::Recover(const Visitor& visitor, WalRecoveryReport* report) {
  std::vector<std::string> names;
  Status s = env_->GetChildren(dir_, &names);
  if (!s.ok()) return s;
  std::vector<uint64_t> numbers;
  for (const std::string& name : names) {
    uint64_t number = 0;
    if (ParseSegmentName(name, &number)) numbers.push_back(number);
  }
  WalHead head;
  s = ReadWalHead(env_, dir_, &head);
  const bool have_head = s.ok();
  if (!have_head && s.code() != Status::Code::kNotFound) return s;
  s = CheckSegmentSet(dir_, numbers, have_head ? &head : nullptr, options_.node_id);
  if (!s.ok()) return s;
  for (size_t i = 0; i < numbers.size(); ++i) {
    s = RecoverSegment(numbers[i], i + 1 == numbers.size(), visitor, report);
    if (!s.ok()) return s;
  }
  std::lock_guard lock(mu_);
  uint64_t next_number = numbers.empty() ? 1 : numbers.back() + 1;
  // A newest segment holding only its header carries nothing: it is replaced, not followed.
  if (!numbers.empty() && (segments_.empty() || segments_.back().number != numbers.back())) {
    next_number = numbers.back();
  }
  if (!numbers.empty()) {
    head_ = WalHead{options_.node_id, numbers.front(), numbers.back()};
    if (have_head && head.oldest > head_.oldest) head_.oldest = head.oldest;
  }
  report->segments = segments_.size();
  report->last_lsn = next_lsn_ - 1;
  synced_lsn_.store(next_lsn_ - 1);
  if (marker_.present) {
    durable_marker_ = true;
    durable_marker_slot_ = marker_.slot;
  }
  StartSegmentLocked(next_number);
  return Status::Ok();
}

// The first record of a segment: its header, naming this segment, this node, the lsn that follows
// the previous segment's last record, and that record's crc.
Status Wal::CheckSegmentHeader(const std::string& path, uint64_t offset, const std::string& body,
                               uint64_t number, Segment* segment) {
  RecordKind kind = RecordKind::kPromise;
  uint64_t header_number = 0;
  std::string_view payload;
  SegmentHeader header;
  header.version = 0;
  if (!DecodeRecordBody(body, &kind, &header_number, &payload) ||
      kind != RecordKind::kSegmentHeader || header_number != number) {
    return CorruptAt(path, offset, "segment header missing or names another segment");
  }
  const bool decoded = DecodeSegmentHeader(payload, &header);
  if (header.version < kWalFormatVersionOldest || header.version > kWalFormatVersion) {
    return CorruptAt(path, offset, "unknown wal format version " + std::to_string(header.version));
  }
  if (!decoded) return CorruptAt(path, offset, "segment header of the wrong size");
  if (options_.node_id != 0 && header.node_id != options_.node_id) {
    return CorruptAt(path, offset,
                     "segment written by node " + std::to_string(header.node_id) +
                         ", this is node " + std::to_string(options_.node_id));
  }
  std::lock_guard lock(mu_);
  if (!segments_.empty() && header.first_lsn != next_lsn_) {
    return CorruptAt(path, offset,
                     "first lsn " + std::to_string(header.first_lsn) + ", expected " +
                         std::to_string(next_lsn_) + " (records missing)");
  }
  if (!segments_.empty() && header.prev_crc != last_body_crc_) {
    return CorruptAt(path, offset,
                     "the previous segment does not end with the record this one follows "
                     "(records missing, or a segment from elsewhere)");
  }
  next_lsn_ = header.first_lsn;
  segment->first_lsn = header.first_lsn;
  last_body_crc_ = crc32c::Value(body.data(), body.size());
  header_prev_crc_ = header.prev_crc;
  return Status::Ok();
}

Status Wal::RecoverSegment(uint64_t number, bool is_newest, const Visitor& visitor,
                           WalRecoveryReport* report) {
  const std::string path = SegmentPath(number);
  std::unique_ptr<SequentialFile> file;
  Status s = env_->NewSequentialFile(path, &file);
  if (!s.ok()) return s;
  log::Reader reader(file.get(), path,
                     LogEncodedBytesMax(kWalRecordPrefixBytes + kWalPayloadBytesMax));
  Segment segment;
  segment.number = number;
  std::string body;
  bool have_header = false;
  while (reader.ReadRecord(&body)) {
    const uint64_t offset = reader.last_record_offset();
    s = have_header ? ReplayRecord(path, offset, body, &segment, visitor)
                    : CheckSegmentHeader(path, offset, body, number, &segment);
    if (!s.ok()) return s;
    if (have_header) ++report->records;
    have_header = true;
  }
  if (!reader.status().ok()) return reader.status();
  // A segment is named only once its header is durable: without one it is damage, not a crash.
  if (!have_header) {
    return CorruptAt(path, 0,
                     "segment has no header (" + std::to_string(reader.file_bytes()) + " bytes)");
  }
  segment.bytes = reader.valid_bytes();
  report->bytes += segment.bytes;
  if (reader.torn_tail()) {
    if (!is_newest) {
      return CorruptAt(path, reader.valid_bytes(),
                       "incomplete record at the end of a segment that is not the newest");
    }
    s = env_->TruncateFile(path, reader.valid_bytes());
    if (!s.ok()) return s;
    report->torn_tail = true;
    report->torn_file = path;
    report->torn_offset = reader.valid_bytes();
    report->torn_bytes_dropped = reader.file_bytes() - reader.valid_bytes();
  }
  std::lock_guard lock(mu_);
  // A newest segment holding only its header is replaced by Recover; the new header follows
  // the same record this one did.
  if (is_newest && next_lsn_ == segment.first_lsn) {
    last_body_crc_ = header_prev_crc_;
    return Status::Ok();
  }
  segments_.push_back(segment);
  return Status::Ok();
}

Status Wal::ReplayRecord(const std::string& path, uint64_t offset, const std::string& body,
                         Segment* segment, const Visitor& visitor) {
  WalRecord record;
  std::string_view payload;
  if (!DecodeRecordBody(body, &record.kind, &record.slot, &payload) ||
      record.kind == RecordKind::kSegmentHeader) {
    return CorruptAt(path, offset, "record of unknown kind");
  }
  record.lsn = next_lsn_++;
  record.payload.assign(payload);
  {
    std::lock_guard lock(mu_);
    last_body_crc_ = crc32c::Value(body.data(), body.size());
    NoteRecordLocked(record.kind, record.slot, record.payload, record.lsn, segment);
  }
  return visitor(record);
}

}  // namespace pifleet::store
