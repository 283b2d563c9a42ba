// Every client request, by its op, to the part that answers it: the one switch over
// wire::ClientOp (a new op is one case here and a handler in its part). Join replies come back
// here too: an admitted joiner writes cluster.meta and starts its core.
#include "agent/daemon/agent.h"
#include "agent/daemon/cluster_file.h"
#include "agent/daemon/topic_requests.h"

namespace pifleet::daemon {
namespace {

// Ops a node answers before it has a core (while joining); every other op needs one.
bool AnsweredWithoutCore(wire::ClientOp op) {
  return op == wire::ClientOp::kAlive || op == wire::ClientOp::kStatus ||
         op == wire::ClientOp::kIdentify || op == wire::ClientOp::kMetrics;
}

}  // namespace

void Agent::OnClientRequest(uint64_t sender, const wire::ClientRequest& request,
                            const net::UdpAddress& from) {
  using wire::ClientOp;
  using wire::ReplyCode;
  if (!core() && !AnsweredWithoutCore(request.op)) {
    return Reply(*this, from, request, ReplyCode::kNoQuorum, "", "this node is still joining");
  }
  switch (request.op) {
    case ClientOp::kAlive:
      if (request.client_id == sender) peers_.HeardAlive(sender, ticks_);  // a member, not a CLI
      return;
    case ClientOp::kStatus:
      return Reply(*this, from, request, ReplyCode::kOk, EncodeStatusReport(BuildStatus()));
    case ClientOp::kIdentify:
      return leds_.HandleIdentify(request, from);
    case ClientOp::kMetrics:
      UpdateMetrics();
      return Reply(*this, from, request, ReplyCode::kOk, metrics_.Render());
    case ClientOp::kMembers:
      return Reply(*this, from, request, ReplyCode::kOk, wire::EncodeBody(BuildMembers()));
    case ClientOp::kLocalGet:
      return clients_.HandleLocalGet(request, from);
    case ClientOp::kLeaseRead:
      return lease_reads_.Handle(*driver_, request, from);
    case ClientOp::kRegister:
      return clients_.HandleRegister(request, from);
    case ClientOp::kKv:
      return clients_.HandleKv(request, from);
    case ClientOp::kLease:
      return leases_.HandleRequest(request, from);
    case ClientOp::kLeaseList:
      return leases_.HandleList(request, from);
    case ClientOp::kWatch:
      watch_hub_.OnApplied(state_machine().kv());
      if (!watch_hub_.OnRequest(request.client_id, request.sequence, request.payload, from,
                                SteadyNowMs())) {
        Reply(*this, from, request, ReplyCode::kError, "", "malformed watch request");
      }
      return;
    case ClientOp::kJob:
      return jobs_.HandleRequest(request, from);
    case ClientOp::kJobQuery:
      return jobs_.HandleQuery(request, from);
    case ClientOp::kConfigSet:
      return settings_.HandleSet(request, from);
    case ClientOp::kConfigList:
      return settings_.HandleList(request, from);
    case ClientOp::kTopic:
      return HandleTopicRequest(*this, clients_, request, from);
    case ClientOp::kTopicRead:
      return HandleTopicRead(*this, request, from);
    case ClientOp::kTopicGroup:
      return HandleTopicGroup(*this, clients_, request, from);
    case ClientOp::kJoin:
      return joiner_.HandleJoin(request, from, initial_config_);
    case ClientOp::kLeave:
      return autopilot_.HandleLeave(request, from);
    case ClientOp::kKeyInstall:
    case ClientOp::kKeyUse:
    case ClientOp::kKeyRemove:
    case ClientOp::kKeyList:
      return keys_.HandleRequest(request, from);
  }
  Reply(*this, from, request, ReplyCode::kError, "", "unsupported request");
}

void Agent::OnClientReply(uint64_t sender, const wire::ClientReply& reply,
                          const net::UdpAddress& from) {
  const std::optional<core::Config> initial = joiner_.OnReply(sender, reply, from);
  if (!initial) return;
  if (Status status = WriteClusterFile(env_, config_.data_dir, *initial); !status.ok()) {
    log_->Log(Level::kError, "cannot write cluster.meta: " + status.ToString());
    return Stop(1);
  }
  log_->Log(Level::kNotice, "joined through a member; catching up",
            {{"THROUGH", std::to_string(sender)}});
  StartCore(*initial, durable_);
}

}  // namespace pifleet::daemon
