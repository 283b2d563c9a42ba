// Leases in the agent (sm/leases.h, docs/kv.md): grant, keepalive and revoke go through the log
// in the client's session (answered by ClientRequests when applied), the list is answered from
// this node's state, and the leader proposes the expiry of silent leases by its LeaseClock.
#pragma once

#include <cstdint>

#include "agent/daemon/agent_context.h"
#include "agent/daemon/client_requests.h"
#include "agent/daemon/lease_clock.h"
#include "agent/daemon/own_proposals.h"

namespace pifleet::daemon {

class LeaseRequests {
 public:
  LeaseRequests(AgentContext& context, ClientRequests& clients, OwnProposals& own)
      : context_(context), clients_(clients), own_(own) {}

  // ClientOp::kLease: grant, keepalive or revoke.
  void HandleRequest(const wire::ClientRequest& request, const net::UdpAddress& from);
  // ClientOp::kLeaseList: every lease with its TTL, keys and the time left by this node's count.
  void HandleList(const wire::ClientRequest& request, const net::UdpAddress& from);
  // Every tick; looks once per kLeaseCheckTicks, and proposes only on the leader.
  void ProposeExpiryIfDue();
  // ProposeExpiryIfDue() has work: this node leads and some lease is held.
  bool Busy() const;

 private:
  AgentContext& context_;
  ClientRequests& clients_;
  OwnProposals& own_;
  LeaseClock clock_;
};

}  // namespace pifleet::daemon
