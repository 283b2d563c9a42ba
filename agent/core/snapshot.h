// The core's snapshot blob: the state at a slot as one byte string that every replica produces
// identically. It carries what the core needs (the slot, and the configurations governing the
// slots after it, since a reconfiguration takes effect kWindowSlots after its own slot) and the
// state machine's bytes, which are opaque here.
//
// Layout (little-endian): "PFCS" | version u8 (= 1) | slot u64 | config count u32 |
// per config: first slot u64, voter count u32, voters u64..., learner count u32, learners u64...
// | state machine bytes u64 length + bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/core/types.h"

namespace pifleet::core {

struct SnapshotMeta {
  Slot slot = 0;
  std::vector<std::pair<Slot, Config>> configs;  // (first slot governed, config), ascending
  bool operator==(const SnapshotMeta&) const = default;
};

std::string EncodeSnapshot(const SnapshotMeta& meta, std::string_view app_bytes);
// False (outputs unspecified) on any malformation; never reads out of bounds.
bool DecodeSnapshot(std::string_view blob, SnapshotMeta* meta, std::string* app_bytes);
// 64-bit FNV-1a (agent/base/hash.h): the blob's identity in offers and markers (datagrams are
// authenticated; this catches a pull assembled wrongly or a file that does not match its marker).
uint64_t SnapshotHash(std::string_view blob);

}  // namespace pifleet::core
