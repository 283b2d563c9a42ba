// The WAL's physical format, after LevelDB's log (docs/formats.md has the full description).
//
// A log file is a sequence of 32 KiB blocks. A logical record is stored as one or more
// physical records; a physical record never crosses a block boundary:
//
//   masked crc32c (u32 LE) | length (u16 LE) | type (u8) | payload[length]
//
// The CRC covers type and payload. A record that fits the rest of its block is FULL; a longer
// one is split FIRST, MIDDLE..., LAST. When fewer than 7 bytes remain in a block they are
// zero-filled (a trailer) and the next record starts at the next block.
#pragma once

#include <cstdint>

#include "agent/store/store_constants.h"

namespace pifleet::store::log {

enum class RecordType : uint8_t {
  kZero = 0,  // never written; an all-zero header is a zero-filled (torn) tail
  kFull = 1,
  kFirst = 2,
  kMiddle = 3,
  kLast = 4,
};
inline constexpr uint8_t kMaxRecordType = static_cast<uint8_t>(RecordType::kLast);

inline constexpr size_t kBlockBytes = kLogBlockBytes;
inline constexpr size_t kHeaderBytes = kLogHeaderBytes;

}  // namespace pifleet::store::log
