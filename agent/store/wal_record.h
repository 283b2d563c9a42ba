// What the WAL stores: typed opaque records. The core encodes its promise / accept / decision /
// snapshot-marker structs itself; the WAL keeps the kind and slot beside the bytes so that it
// can compact by slot and carry the newest promise and marker forward without knowing them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pifleet::store {

enum class RecordKind : uint8_t {
  kSegmentHeader = 0,   // internal: first record of every segment, never handed to the caller
  kPromise = 1,         // acceptor's promised ballot (slot unused: 0)
  kAccept = 2,          // an accepted (slot, ballot, value)
  kDecision = 3,        // a decided (slot, value)
  kSnapshotMarker = 4,  // a durable snapshot exists at this slot
  kDecidedAccept = 5,   // the value accepted at (slot, ballot) is decided (format version 3)
};
inline constexpr uint8_t kRecordKindMax = static_cast<uint8_t>(RecordKind::kDecidedAccept);

// Slot-scoped records are obsolete below a snapshot; the newest record of each other kind stays
// meaningful however old it is, so the WAL copies it into every new segment.
constexpr bool IsSlotScoped(RecordKind kind) {
  return kind == RecordKind::kAccept || kind == RecordKind::kDecision ||
         kind == RecordKind::kDecidedAccept;
}

struct WalRecord {
  uint64_t lsn = 0;  // 1, 2, 3... in append order, across segments
  RecordKind kind = RecordKind::kPromise;
  uint64_t slot = 0;
  std::string payload;
};

const char* RecordKindName(RecordKind kind);

// The bytes one log record carries: kind (u8) | slot (u64 LE) | payload.
std::string EncodeRecordBody(RecordKind kind, uint64_t slot, std::string_view payload);
// False if body is shorter than the prefix or names an unknown kind.
bool DecodeRecordBody(std::string_view body, RecordKind* kind, uint64_t* slot,
                      std::string_view* payload);

// The segment header's payload (docs/formats.md): format version (u32 LE) | node id (u64 LE) |
// first lsn (u64 LE) | crc32c of the previous segment's last record body (u32 LE, 0 for none).
// Together with the first lsn (the previous last lsn + 1) it ties a segment to its predecessor.
// Version 3 added kDecidedAccept; segments of version 2 (kinds 0-4 only) are still read.
inline constexpr uint32_t kWalFormatVersion = 3;
inline constexpr uint32_t kWalFormatVersionOldest = 2;
struct SegmentHeader {
  uint32_t version = kWalFormatVersion;
  uint64_t node_id = 0;
  uint64_t first_lsn = 0;
  uint32_t prev_crc = 0;
};
std::string EncodeSegmentHeader(const SegmentHeader& header);
// False if the size is wrong; the version is the caller's to check.
bool DecodeSegmentHeader(std::string_view payload, SegmentHeader* header);

}  // namespace pifleet::store
