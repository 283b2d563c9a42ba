#include "agent/daemon/lease_requests.h"

#include "agent/daemon/agent_hal.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/sm/leases.h"
#include "agent/wire/lease_bodies.h"

namespace pifleet::daemon {

void LeaseRequests::HandleRequest(const wire::ClientRequest& request, const net::UdpAddress& from) {
  wire::LeaseRequestBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "", "malformed lease request");
  }
  if (request.session == 0) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "lease commands need a session");
  }
  sm::LeaseCommand command;
  command.kind = body.kind == wire::LeaseRequestBody::kGrant ? sm::LeaseCommandKind::kGrant
                 : body.kind == wire::LeaseRequestBody::kKeepAlive
                     ? sm::LeaseCommandKind::kKeepAlive
                     : sm::LeaseCommandKind::kRevoke;
  command.ttl_ms = body.ttl_ms;
  command.id = body.id;
  clients_.ProposeFor(request, from,
                      {request.session,
                       request.sequence,
                       core::CommandKind::kApp,
                       sm::EncodeLeaseCommand(command),
                       {}});
}

void LeaseRequests::HandleList(const wire::ClientRequest& request, const net::UdpAddress& from) {
  const sm::StateMachine& state = context_.state_machine();
  const std::map<uint64_t, uint64_t> keys = state.kv().KeysPerLease();
  wire::LeaseListBody body;
  const uint64_t now_ms = SteadyNowMs();
  for (const auto& [id, lease] : state.leases().leases()) {
    auto it = keys.find(id);
    body.rows.push_back(wire::LeaseRow{id, lease.ttl_ms, it == keys.end() ? 0 : it->second,
                                       clock_.RemainingMs(id, state.leases(), now_ms)});
  }
  Reply(context_, from, request, wire::ReplyCode::kOk, wire::EncodeBody(body));
}

bool LeaseRequests::Busy() const {
  const core::Core* core = context_.core();
  return core && core->IsLeader() && !context_.state_machine().leases().leases().empty();
}

void LeaseRequests::ProposeExpiryIfDue() {
  const core::Core* core = context_.core();
  if (!core) return;
  if (auto expire = clock_.ExpiryDue(context_.state_machine().leases(), core->IsLeader(),
                                     context_.ticks(), SteadyNowMs())) {
    own_.Propose({0, 0, core::CommandKind::kApp, std::move(*expire), {}});
  }
}

}  // namespace pifleet::daemon
