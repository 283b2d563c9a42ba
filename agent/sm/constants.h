// Bounds of the state machine's commands, in one place; their relations to the core's bounds
// are static_asserted. A command beyond a bound is refused the same way on every replica.
#pragma once

#include <cstddef>

#include "agent/core/constants.h"

namespace pifleet::sm {

// Each string of a member (name, address, role, version, board, serial) is stored whole up to
// this many bytes; an upsert with a longer one is refused, and the table does not change.
inline constexpr size_t kMemberStringBytesMax = 128;
inline constexpr size_t kMemberStrings = 6;
// Kind u8, node id u64, each string as u64 length + bytes, capacity, temperature, throttling.
inline constexpr size_t kMemberUpsertBytesMax =
    1 + 8 + kMemberStrings * (8 + kMemberStringBytesMax) + 3 * size_t{8};

static_assert(kMemberUpsertBytesMax <= core::kCommandBytesMax,
              "an upsert with every string at its bound must fit one command");

}  // namespace pifleet::sm
