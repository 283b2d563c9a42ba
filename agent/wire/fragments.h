// Messages larger than one datagram travel as fragments inside the sealed plaintext:
//   whole message:  0x00 | body
//   fragment:       0x01 | message id u32 | index u16 | count u16 | chunk
// Reassembly holds at most kReassembliesMax partial messages of at most
// kFragmentsPerMessageMax fragments and kMessageBytesMax bytes each, and forgets a partial one
// after kReassemblyTimeoutTicks, so no sender can make a node hold unbounded memory.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "agent/wire/drop_reason.h"
#include "agent/wire/limits.h"

namespace pifleet::wire {

// Frames `message` into plaintexts of at most plaintext_bytes_max bytes each.
Status Fragment(std::span<const uint8_t> message, uint32_t message_id, size_t plaintext_bytes_max,
                std::vector<std::vector<uint8_t>>* plaintexts);

class Reassembler {
 public:
  enum class Result { kComplete, kPending, kDropped };

  // Feeds one opened plaintext from `sender`. kComplete fills *message; kDropped sets *reason.
  Result Add(uint64_t sender, std::span<const uint8_t> plaintext, uint64_t now_ticks,
             std::vector<uint8_t>* message, DropReason* reason);
  // Forgets partial messages older than the timeout; returns how many.
  size_t Expire(uint64_t now_ticks);
  size_t partial_count() const { return partials_.size(); }
  // Partial messages given up so far, for space or time (DropReason::kReassemblyEvicted).
  uint64_t evicted_count() const { return evicted_count_; }

 private:
  struct Partial {
    uint16_t count = 0;
    uint16_t received = 0;
    size_t bytes = 0;  // of the chunks received, at most kMessageBytesMax
    uint64_t started_ticks = 0;
    std::vector<std::vector<uint8_t>> chunks;  // empty = not yet received
  };
  using PartialId = std::pair<uint64_t, uint32_t>;  // sender, message id
  void EvictOldest();
  std::map<PartialId, Partial> partials_;
  uint64_t evicted_count_ = 0;
};

}  // namespace pifleet::wire
