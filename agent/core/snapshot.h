// The core's snapshot blob: the state at a slot as one byte string that every replica produces
// identically. It carries what the core needs (the slot, and the configurations governing the
// slots after it, since a reconfiguration takes effect kWindowSlots after its own slot) and the
// state machine's bytes, which are opaque here.
//
// Layout (little-endian): "PFCS" | version u8 (= 2; 1 is read too) | slot u64 | config count u32 |
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
// The same blob built in place, for a caller that writes the state machine's bytes straight
// into it (no second buffer of the state's size, no copy): Begin clears *out (its capacity
// stays) and writes the header up to the bytes' length, returning the header's size; the
// caller appends the state machine's bytes; End records their length.
size_t BeginSnapshotBlob(const SnapshotMeta& meta, std::string* out);
void EndSnapshotBlob(size_t header_bytes, std::string* blob);
// False (outputs unspecified) on any malformation; never reads out of bounds.
bool DecodeSnapshot(std::string_view blob, SnapshotMeta* meta, std::string* app_bytes);
// The blob's identity in offers and markers (datagrams are authenticated; this catches a pull
// assembled wrongly or a file that does not match its marker): XXH3-64 (agent/base/fast_hash.h)
// of a version 2 blob, and of anything that is no snapshot; 64-bit FNV-1a (agent/base/hash.h),
// as older builds computed it, of a version 1 blob. The event loop hashes every snapshot it
// takes (tens of MiB in a large fleet): FNV-1a took 22 ms for 14.5 MiB.
uint64_t SnapshotHash(std::string_view blob);

}  // namespace pifleet::core
