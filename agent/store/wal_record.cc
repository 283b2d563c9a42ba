#include "agent/store/wal_record.h"

#include "agent/base/bytes.h"
#include "agent/store/store_constants.h"

namespace pifleet::store {

const char* RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kSegmentHeader:
      return "segment-header";
    case RecordKind::kPromise:
      return "promise";
    case RecordKind::kAccept:
      return "accept";
    case RecordKind::kDecision:
      return "decision";
    case RecordKind::kSnapshotMarker:
      return "snapshot-marker";
    case RecordKind::kDecidedAccept:
      return "decided-accept";
  }
  return "unknown";
}

std::string EncodeRecordBody(RecordKind kind, uint64_t slot, std::string_view payload) {
  std::string body;
  body.reserve(kWalRecordPrefixBytes + payload.size());
  body.push_back(static_cast<char>(kind));
  PutFixed64(&body, slot);
  body.append(payload);
  return body;
}

bool DecodeRecordBody(std::string_view body, RecordKind* kind, uint64_t* slot,
                      std::string_view* payload) {
  if (body.size() < kWalRecordPrefixBytes) return false;
  const auto raw_kind = static_cast<uint8_t>(body[0]);
  if (raw_kind > kRecordKindMax) return false;
  *kind = static_cast<RecordKind>(raw_kind);
  *slot = DecodeFixed64(body.data() + 1);
  *payload = body.substr(kWalRecordPrefixBytes);
  return true;
}

std::string EncodeSegmentHeader(const SegmentHeader& header) {
  std::string payload;
  PutFixed32(&payload, header.version);
  PutFixed64(&payload, header.node_id);
  PutFixed64(&payload, header.first_lsn);
  PutFixed32(&payload, header.prev_crc);
  return payload;
}

bool DecodeSegmentHeader(std::string_view payload, SegmentHeader* header) {
  if (payload.size() < 4) return false;
  header->version = DecodeFixed32(payload.data());
  if (payload.size() != 4 + 8 + 8 + 4) return false;
  header->node_id = DecodeFixed64(payload.data() + 4);
  header->first_lsn = DecodeFixed64(payload.data() + 12);
  header->prev_crc = DecodeFixed32(payload.data() + 20);
  return true;
}

}  // namespace pifleet::store
