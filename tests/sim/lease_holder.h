// Leases in the simulation (docs/simulator.md). Every node runs the agent's own LeaseClock and
// proposes expiry through an InternalSession of its own, as the agent's LeaseRequests and
// OwnProposals do. One holder per run grants a lease (TTL 1 to 2 s) and keeps it alive every
// third of its TTL through a session of its own (the same InternalSession bookkeeping), proposing
// at a random node and again at another every 250 ms until applied (as a client retries, where
// the agent's own session waits 5 s); now and then it goes silent (its lease must then expire) and
// later grants a new one. The checker: a lease ends only by an expire command, and never before the
// TTL has passed since the first send of the last grant or keepalive applied before it — what a
// client may count on, whatever leader changes, crashes and partitions happened (a new leader
// restarts the count, it never shortens it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "agent/core/rng.h"
#include "agent/core/types.h"
#include "agent/daemon/internal_session.h"
#include "agent/sm/kv_op.h"
#include "agent/sm/leases.h"

namespace pifleet::sim {

// The holder's registrations are proposed under this id (never a session id).
inline constexpr uint64_t kLeaseHolderNonce = (uint64_t{1} << 60) | 0xfffffe;
// A node's own proposals (its expiries) register under this id with the node and incarnation.
inline uint64_t NodeNonce(uint64_t node_id, uint32_t incarnation) {
  return (uint64_t{1} << 60) | node_id << 24 | incarnation;
}

class LeaseHolder {
 public:
  LeaseHolder() : session_(kLeaseHolderNonce) {}

  // Every simulated tick: the command to propose now at some node, if any.
  std::optional<core::Command> Due(int64_t now_us, core::Rng& rng);
  // Every command any node applied, with that node's lease table after it; "" or a violation.
  std::string OnApplied(const core::Command& command, const sm::KvResult& result,
                        const sm::LeaseTable& table, int64_t now_us);

  // Every lease granted has ended (once the holder is silent for good, each must).
  bool AllEnded() const;
  uint64_t granted() const { return leases_.size(); }
  uint64_t expired() const { return expired_; }

 private:
  struct Held {
    uint64_t ttl_ms = 0;
    int64_t promised_until_us = 0;  // first send of the last grant or keepalive applied + TTL
    bool ended = false;
  };
  struct Sent {
    int64_t first_us = 0;
    sm::LeaseCommand command;
  };

  daemon::InternalSession session_;
  std::optional<core::Command> outstanding_;  // proposed, not yet seen applied
  int64_t proposed_us_ = 0;
  std::map<std::pair<uint64_t, uint64_t>, Sent> sent_;  // (session, sequence) -> its first send
  std::map<uint64_t, Held> leases_;                     // every lease granted to the holder
  uint64_t current_ = 0;                                // the lease kept alive (0: none)
  bool granting_ = false;                               // a grant is queued or outstanding
  int64_t next_keepalive_us_ = 0;  // or, when silent, the time to grant a new lease
  bool silent_ = false;
  uint64_t expired_ = 0;
};

}  // namespace pifleet::sim
