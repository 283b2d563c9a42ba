// The leader's side of a leader lease (docs/consensus.md, "Lease reads"). While lease reads are
// wanted, the leader stamps its heartbeats to the voters with its tick count; a voter that
// grants (core/acceptor.h) promises no higher ballot for kLeaseTicks of its own ticks. Once a
// quorum of the configuration granted one stamp, no other leader can be adopted before that
// stamp plus kLeaseTicks on their clocks, so this leader may answer reads from its own state
// until stamp + kLeaseTicks - kLeaseMarginTicks on its own. Any change of mode or ballot drops
// the lease; so does a driver whose ticks fell behind the clock (Core::DropLease).
#pragma once

#include <cstdint>
#include <map>
#include <set>

#include "agent/core/membership.h"
#include "agent/core/options.h"
#include "agent/core/types.h"

namespace pifleet::core {

class LeaderLease {
 public:
  explicit LeaderLease(Canary canary) : canary_(canary) {}

  // A lease read arrived at tick `now`: grants are asked for until now + kLeaseWantTicks.
  void Want(uint64_t now);
  bool wanted(uint64_t now) const { return now < wanted_until_; }
  // The stamp for a heartbeat sent at `now` (0: none wanted); grants older than a lease are
  // forgotten.
  uint64_t Stamp(uint64_t now);
  // A voter's grant of `stamp` for this leader's ballot; `config` is the one configuration of
  // the whole window (a lease is taken only then), whose quorum extends the lease.
  void OnGrant(NodeId from, uint64_t stamp, const Config& config, size_t quorum);
  bool Held(uint64_t now) const;
  void Drop();

 private:
  Canary canary_;
  uint64_t wanted_until_ = 0;
  uint64_t held_until_ = 0;                      // exclusive, in this node's ticks
  std::map<uint64_t, std::set<NodeId>> grants_;  // by stamp
};

}  // namespace pifleet::core
