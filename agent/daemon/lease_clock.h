// The leader's count of lease TTLs (sm/leases.h: expiry is a command the leader proposes). Time is
// this node's steady clock: a lease's count starts when this node first sees its grant or a new
// keepalive applied, and starts again for every lease when this node becomes leader, so a leader
// change never ends a lease early: the new leader gives every lease its whole TTL from its own
// start (etcd resets TTLs the same way, etcd#9395). Seen-changes are noted at each Due call, so a
// count starts at most one call interval late, never early.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/sm/leases.h"

namespace pifleet::daemon {

class LeaseClock {
 public:
  // The leases to expire now, (id, keepalives seen), at most sm::kLeaseExpireMax; empty unless
  // `leader`. Every lease the table holds is noted first.
  std::vector<std::pair<uint64_t, uint64_t>> Due(const sm::LeaseTable& table, bool leader,
                                                 uint64_t now_ms);
  // Every tick (the agent's LeaseRequests, the simulator's nodes): looks once per kLeaseCheckTicks
  // and returns the expire command to propose, at most one per kMaintenanceTicks.
  std::optional<std::string> ExpiryDue(const sm::LeaseTable& table, bool leader, uint64_t ticks,
                                       uint64_t now_ms);
  // Milliseconds left of a lease by this node's count (-1: not counting, not the leader).
  int64_t RemainingMs(uint64_t id, const sm::LeaseTable& table, uint64_t now_ms) const;

 private:
  struct Seen {
    uint64_t keepalives = 0;
    uint64_t since_ms = 0;
  };
  std::map<uint64_t, Seen> seen_;
  bool leader_ = false;
  uint64_t expiry_tick_ = 0;  // of the last expiry returned
};

}  // namespace pifleet::daemon
