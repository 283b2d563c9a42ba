#include "agent/store/log_writer.h"

#include <algorithm>

#include "agent/base/assert.h"
#include "agent/base/bytes.h"
#include "agent/store/crc32c.h"
#include "agent/store/log_format.h"

namespace pifleet::store::log {

Writer::Writer(uint64_t file_bytes)
    : file_bytes_(file_bytes), block_offset_(file_bytes % kBlockBytes) {}

void Writer::AddRecord(std::string_view payload, std::string* out) {
  const char* ptr = payload.data();
  size_t left = payload.size();
  bool begin = true;
  // An empty payload still emits one (FULL, zero-length) record.
  do {
    const size_t leftover = kBlockBytes - block_offset_;
    if (leftover < kHeaderBytes) {
      out->append(leftover, '\0');
      file_bytes_ += leftover;
      block_offset_ = 0;
    }
    PIFLEET_ASSERT(kBlockBytes - block_offset_ >= kHeaderBytes);
    const size_t available = kBlockBytes - block_offset_ - kHeaderBytes;
    const size_t fragment = std::min(left, available);
    const bool end = fragment == left;
    RecordType type = RecordType::kMiddle;
    if (begin && end) {
      type = RecordType::kFull;
    } else if (begin) {
      type = RecordType::kFirst;
    } else if (end) {
      type = RecordType::kLast;
    }
    EmitPhysicalRecord(static_cast<uint8_t>(type), ptr, fragment, out);
    ptr += fragment;
    left -= fragment;
    begin = false;
  } while (left > 0);
}

void Writer::EmitPhysicalRecord(uint8_t type, const char* data, size_t length, std::string* out) {
  PIFLEET_ASSERT(length <= 0xffff);
  PIFLEET_ASSERT(block_offset_ + kHeaderBytes + length <= kBlockBytes);
  uint32_t crc = crc32c::Value(&type, 1);
  crc = crc32c::Extend(crc, data, length);
  PutFixed32(out, crc32c::Mask(crc));
  PutFixed16(out, static_cast<uint16_t>(length));
  out->push_back(static_cast<char>(type));
  out->append(data, length);
  file_bytes_ += kHeaderBytes + length;
  block_offset_ += kHeaderBytes + length;
  if (block_offset_ == kBlockBytes) block_offset_ = 0;
}

}  // namespace pifleet::store::log
