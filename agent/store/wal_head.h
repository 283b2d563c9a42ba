// wal/head: the WAL's durable record of which segments must exist, so that a lost segment is
// noticed even when nothing after it points at it (the newest, the oldest, or the only one).
// Written atomically (temp file, fdatasync, rename, directory fsync) after a new segment is
// durable, and before compaction removes old ones: so the segments present always include
// oldest..newest, plus at most one newer segment whose head update a crash cut off, and older
// ones whose removal a crash cut off. Layout: docs/formats.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/store/env.h"

namespace pifleet::store {

inline constexpr char kWalHeadFileName[] = "head";

struct WalHead {
  uint64_t node_id = 0;
  uint64_t oldest = 0;  // the oldest segment that must be present
  uint64_t newest = 0;  // the newest segment known durable
  bool operator==(const WalHead&) const = default;
};

// 40 bytes: "PFWH" | version u8 (= 1) | 3 zero bytes | node id u64 | oldest u64 | newest u64 |
// 4 zero bytes | masked crc32c of the preceding 36 bytes (u32). Little-endian.
std::string EncodeWalHead(const WalHead& head);
Status DecodeWalHead(const std::string& path, std::string_view bytes, WalHead* head);

// NotFound when dir has no head file (a new WAL); Corruption naming the file if damaged.
Status ReadWalHead(Env* env, const std::string& dir, WalHead* head);
Status WriteWalHead(Env* env, const std::string& dir, const WalHead& head);

// dir/NNNNNNNNNNNNNNNNNNNN.wal (20 digits, so names sort in order).
std::string WalSegmentPath(const std::string& dir, uint64_t number);

// Checks the sorted, distinct segment numbers present in dir against its head (null: dir has no
// head file) and this node's id (0: not checked). Corruption names the missing segment.
Status CheckSegmentSet(const std::string& dir, const std::vector<uint64_t>& numbers,
                       const WalHead* head, uint64_t node_id);

}  // namespace pifleet::store
