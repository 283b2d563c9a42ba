// Every bound of the storage layer in one place; the relations between them are static_asserted.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pifleet::store {

// LevelDB log format (docs/formats.md): 32 KiB blocks, 7-byte physical record header.
inline constexpr size_t kLogBlockBytes = size_t{32} * 1024;
inline constexpr size_t kLogHeaderBytes = 4 + 2 + 1;  // masked crc32c, u16 length, u8 type

// One WAL segment never grows past this; a record that would cross it starts the next segment.
inline constexpr uint64_t kWalSegmentBytes = 64ull * 1024 * 1024;
// The largest payload one WAL record may carry (a batched slot value is bounded well below).
inline constexpr size_t kWalPayloadBytesMax = size_t{1024} * 1024;
// Bytes appended but not yet synced; past this Append refuses (the disk is full or stalled and
// the node has stopped voting anyway), so memory stays bounded.
inline constexpr uint64_t kWalPendingBytesMax = 64ull * 1024 * 1024;
// Each WAL record payload starts with its kind (u8) and slot (u64).
inline constexpr size_t kWalRecordPrefixBytes = 1 + 8;

// Snapshots travel as a chunked pull; one chunk fits one 1400-byte datagram with its sealed
// header (38 bytes), AEAD tag (16) and msgpack framing.
inline constexpr size_t kSnapshotChunkBytes = 1024;
// A snapshot blob larger than this is refused (bounded memory on a 1 GiB Pi).
inline constexpr uint64_t kSnapshotBytesMax = 256ull * 1024 * 1024;
// Snapshot files kept on disk: the newest and the one before it.
inline constexpr size_t kSnapshotsKept = 2;

// When the disk is full the owner retries a sync every this many ticks (10 ms each).
inline constexpr uint64_t kDiskFullRetryTicks = 100;

// Worst-case bytes one record of payload_bytes occupies in the log: a header per fragment
// (one fragment per block touched) plus a block trailer of padding.
constexpr uint64_t LogEncodedBytesMax(uint64_t payload_bytes) {
  return payload_bytes +
         kLogHeaderBytes * (payload_bytes / (kLogBlockBytes - kLogHeaderBytes) + 2) +
         kLogHeaderBytes - 1;
}

static_assert(kLogBlockBytes > kLogHeaderBytes);
static_assert(kLogBlockBytes - kLogHeaderBytes <= 0xffff, "fragment length must fit a u16");
static_assert(kWalSegmentBytes % kLogBlockBytes == 0);
static_assert(LogEncodedBytesMax(kWalPayloadBytesMax + kWalRecordPrefixBytes) * 4 <
                  kWalSegmentBytes,
              "a segment must hold several records of the largest size");
static_assert(kWalPendingBytesMax >= 4 * LogEncodedBytesMax(kWalPayloadBytesMax));
static_assert(kSnapshotChunkBytes + 38 + 16 + 64 <= 1400, "a chunk must fit one datagram");

}  // namespace pifleet::store
