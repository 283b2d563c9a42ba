#include "agent/daemon/joiner.h"

#include <algorithm>

#include "agent/base/text.h"
#include "agent/daemon/cluster_file.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/net/endpoint.h"
#include "agent/sm/member_limits.h"

namespace pifleet::daemon {

Joiner::Joiner(AgentContext& context, Peers& peers, OwnProposals& own, Autopilot& autopilot,
               JoinerOptions options)
    : context_(context),
      peers_(peers),
      own_(own),
      autopilot_(autopilot),
      options_(std::move(options)) {}

bool Joiner::AddDiscovered(const net::UdpAddress& address) {
  if (std::find(addresses_.begin(), addresses_.end(), address) != addresses_.end() ||
      addresses_.size() >= kDiscoveredAddressesMax) {
    return false;
  }
  addresses_.push_back(address);
  return true;
}

void Joiner::SendJoinRequests() {
  const wire::ClientRequest request{context_.node_id(), boot_epoch_, wire::ClientOp::kJoin,
                                    sm::EncodeUpsertMember(options_.self_member())};
  for (const net::UdpAddress& address : addresses_) context_.SendTo(address, request);
}

void Joiner::WarnIfJoinUnanswered() {
  if (addresses_.empty()) return;  // --discover has found no member yet
  const uint64_t now = context_.ticks();
  if (first_tick_ == 0) first_tick_ = now;
  const uint64_t silent = now - first_tick_;
  // Called once per join attempt (every 500 ms): warns at the first call past 3 s, then every 30 s.
  if (answered_ || silent < kJoinSilentTicks ||
      (silent - kJoinSilentTicks) % kJoinWarnEveryTicks >= kJoinRetryTicks) {
    return;
  }
  // Members drop, unanswered, every datagram they cannot open: a joiner with another key or
  // cluster name hears nothing at all, so silence is the sign.
  std::string listed;
  for (const net::UdpAddress& address : addresses_) {
    listed += (listed.empty() ? "" : ", ") +
              net::Endpoint{address.address().to_string(), address.port()}.ToString();
  }
  context_.logger().Log(
      Level::kWarning,
      "no member has answered this node's join requests for " +
          std::to_string(silent * core::kTickMs / 1000) +
          " s; a wrong cluster key (--key-file) or cluster name (--cluster) is the "
          "likely cause: members drop what they cannot open, without a word",
      {{"JOIN", listed}, {"CLUSTER", options_.cluster}, {"KEY", options_.key_file}});
}

std::optional<core::Config> Joiner::OnReply(uint64_t sender, const wire::ClientReply& reply,
                                            const net::UdpAddress& from) {
  if (reply.client_id != context_.node_id()) return std::nullopt;
  answered_ = true;
  if (reply.code != wire::ReplyCode::kOk) {
    if (context_.core() == nullptr) {
      context_.logger().LogLimited(
          "join_refused", context_.ticks() * core::kTickMs, Level::kError,
          "a member refused to let this node join: " + EscapeForTerminal(reply.error),
          {{"MEMBER", std::to_string(sender)}});
    }
    return std::nullopt;
  }
  peers_.Heard(sender, from, context_.ticks());  // the member we joined through
  if (context_.core() != nullptr) return std::nullopt;
  core::Config initial;
  if (Status status = DecodeClusterFile("join reply", reply.payload, &initial); !status.ok()) {
    context_.logger().Log(Level::kError, "bad join reply: " + status.message());
    return std::nullopt;
  }
  return initial;
}

void Joiner::HandleJoin(const wire::ClientRequest& request, const net::UdpAddress& from,
                        const core::Config& initial_config) {
  sm::MembersTable decoded;
  if (!decoded.Apply(0, request.payload) || decoded.members().size() != 1) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "", "malformed join request");
  }
  sm::Member member = decoded.members().begin()->second;
  const sm::MembersTable& members = context_.state_machine().members();
  if (members.WasRemoved(member.node_id)) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "node " + std::to_string(member.node_id) +
                     " was removed from the cluster (pifleet leave); it joins again only as a "
                     "new node, from an empty data dir");
  }
  member.updated_slot = 0;
  // The joiner is told why, so it does not wait for an answer that never comes.
  if (Status status = sm::CheckMemberText(member); !status.ok()) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "join refused: " + status.message());
  }
  // A node listening on 0.0.0.0 is reached where its datagrams come from.
  net::Endpoint endpoint;
  if (!net::ParseEndpoint(member.address, &endpoint).ok() || endpoint.host == "0.0.0.0" ||
      endpoint.host == "::") {
    member.address = net::Endpoint{from.address().to_string(), from.port()}.ToString();
  }
  peers_.Heard(member.node_id, from, context_.ticks());
  auto known = members.Find(member.node_id);
  if (known) known->updated_slot = 0;
  if (!known || !(*known == member)) {
    own_.Propose({0, 0, core::CommandKind::kApp, sm::EncodeUpsertMember(member), {}});
  }
  autopilot_.AdmitLearner(member.node_id);
  Reply(context_, from, request, wire::ReplyCode::kOk, EncodeClusterFile(initial_config));
}

}  // namespace pifleet::daemon
