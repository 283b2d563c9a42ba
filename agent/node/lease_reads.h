// The lease reads a node driver holds while its core's lease or the slots they need are still
// to come (core.h, "Lease reads"): each read keeps the index it needs, taken when it arrived,
// and a deadline after which its caller reads through the log instead.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "agent/core/types.h"

namespace pifleet::node {

// A read waits this long for a lease: a round trip to the voters, with room for a slow one.
inline constexpr uint64_t kLeaseReadWaitTicks = 20;

class LeaseReads {
 public:
  void Add(uint64_t id, core::Slot read_index, uint64_t now_tick) {
    pending_[id] = {read_index, now_tick + kLeaseReadWaitTicks};
  }
  // Moves each pending read to `ready` (readable(index)) or `declined` (past its deadline, or
  // `leading` is false).
  template <typename Readable>
  void Collect(uint64_t now_tick, bool leading, Readable readable, std::vector<uint64_t>* ready,
               std::vector<uint64_t>* declined) {
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (readable(it->second.read_index)) {
        ready->push_back(it->first);
      } else if (!leading || now_tick >= it->second.deadline_tick) {
        declined->push_back(it->first);
      } else {
        ++it;
        continue;
      }
      it = pending_.erase(it);
    }
  }
  bool empty() const { return pending_.empty(); }

 private:
  struct Pending {
    core::Slot read_index;
    uint64_t deadline_tick;
  };
  std::map<uint64_t, Pending> pending_;
};

}  // namespace pifleet::node
