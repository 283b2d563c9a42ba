// `kv get --consistency lease` (ClientOp::kLeaseRead): range reads the leader answers from its
// own state while it holds a leader lease, without a round through the log (docs/consensus.md,
// "Lease reads"). A node that does not lead, or whose lease does not come in time, declines
// with kNoQuorum and the client reads through the log instead.
#pragma once

#include <cstdint>
#include <map>

#include "agent/daemon/agent_context.h"
#include "agent/node/driver.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::daemon {

class LeaseReadRequests {
 public:
  explicit LeaseReadRequests(AgentContext& context) : context_(context) {}

  void Handle(node::NodeDriver& driver, const wire::ClientRequest& request,
              const net::UdpAddress& from);
  // Answers the reads the driver hands out. Only with every tick due by the clock run (the
  // agent's loop, right after RunDueTicks): a late tick would make the lease look longer.
  void AnswerDue(node::NodeDriver& driver);
  bool pending() const { return !waiting_.empty(); }
  uint64_t served() const { return served_; }
  uint64_t declined() const { return declined_; }

 private:
  struct Waiter {
    wire::ClientRequest request;
    net::UdpAddress from;
    wire::TxnRequestBody txn;
  };

  AgentContext& context_;
  std::map<uint64_t, Waiter> waiting_;  // by read id
  uint64_t next_id_ = 1;
  uint64_t served_ = 0;
  uint64_t declined_ = 0;
};

}  // namespace pifleet::daemon
