// Leases in the agent (sm/leases.h): grant, keepalive and revoke through the log in the client's
// session, the list from this node's state, and the leader's expiry commands (lease_clock.h).
#include "agent/daemon/agent.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/sm/leases.h"
#include "agent/wire/lease_bodies.h"

namespace pifleet::daemon {

void Agent::HandleLease(const wire::ClientRequest& request, const net::UdpAddress& from) {
  wire::LeaseRequestBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(from, request, wire::ReplyCode::kError, "", "malformed lease request");
  }
  if (request.session == 0) {
    return Reply(from, request, wire::ReplyCode::kError, "", "lease commands need a session");
  }
  sm::LeaseCommand command;
  command.kind = body.kind == wire::LeaseRequestBody::kGrant ? sm::LeaseCommandKind::kGrant
                 : body.kind == wire::LeaseRequestBody::kKeepAlive
                     ? sm::LeaseCommandKind::kKeepAlive
                     : sm::LeaseCommandKind::kRevoke;
  command.ttl_ms = body.ttl_ms;
  command.id = body.id;
  ProposeForClient(request, from,
                   {request.session,
                    request.sequence,
                    core::CommandKind::kApp,
                    sm::EncodeLeaseCommand(command),
                    {}});
}

void Agent::HandleLeaseList(const wire::ClientRequest& request, const net::UdpAddress& from) {
  const std::map<uint64_t, uint64_t> keys = state_machine().kv().KeysPerLease();
  wire::LeaseListBody body;
  const uint64_t now_ms = SteadyNowMs();
  for (const auto& [id, lease] : state_machine().leases().leases()) {
    auto it = keys.find(id);
    body.rows.push_back(
        wire::LeaseRow{id, lease.ttl_ms, it == keys.end() ? 0 : it->second,
                       lease_clock_.RemainingMs(id, state_machine().leases(), now_ms)});
  }
  Reply(from, request, wire::ReplyCode::kOk, wire::EncodeBody(body));
}

void Agent::ProposeLeaseExpiryIfDue() {
  if (!core() || ticks_ % kLeaseCheckTicks != 0) return;
  const auto due = lease_clock_.Due(state_machine().leases(), core()->IsLeader(), SteadyNowMs());
  // One expiry command per second at most: a repeated one finds the lease gone and does nothing.
  if (due.empty() || ticks_ < lease_expiry_tick_ + kMaintenanceTicks) return;
  lease_expiry_tick_ = ticks_;
  ProposeInternal({0,
                   0,
                   core::CommandKind::kApp,
                   sm::EncodeLeaseCommand({sm::LeaseCommandKind::kExpire, 0, 0, due}),
                   {}});
}

}  // namespace pifleet::daemon
