// Why a received datagram was dropped. Each reason has its own counter in status and metrics.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace pifleet::wire {

enum class DropReason : uint8_t {
  kNone = 0,           // accepted
  kTruncated,          // shorter than header + tag
  kOversize,           // longer than the configured datagram size
  kBadMagic,           // not a pifleet datagram
  kBadVersion,         // a wire version this build does not speak
  kWrongCluster,       // another cluster's id
  kUnknownKey,         // key id not in the keyring (another key, or a removed one)
  kAuthFailed,         // tag mismatch: wrong key or tampered bytes
  kReplay,             // counter already seen or behind the replay window
  kOldEpoch,           // an epoch older than one already heard from this sender
  kBadFragment,        // fragment header out of range or inconsistent
  kReassemblyEvicted,  // a partial message dropped for space or time
  kMalformed,          // body is not valid msgpack for any message
  kUnknownType,        // valid msgpack, unknown message type
  kOutOfBounds,        // well-formed, but a count, size or id is out of bounds (bounds.h)
};

inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::kOutOfBounds) + 1;

// Stable snake_case names, used as metric labels and JSON keys.
const char* DropReasonName(DropReason reason);

// Counters by reason (index 0, kNone, counts accepted datagrams).
using DropCounters = std::array<uint64_t, kDropReasonCount>;

}  // namespace pifleet::wire
