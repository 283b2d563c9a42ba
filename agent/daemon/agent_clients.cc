// Client requests (pifleet status / members / kv / leave / metrics), joining through a member,
// and the autopilot that keeps the configured number of voters.
#include <algorithm>
#include <charconv>

#include "agent/base/text.h"
#include "agent/base/version.h"
#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/daemon/cluster_file.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/sm/member_limits.h"
#include "agent/store/posix_env.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::daemon {
namespace {

bool Contains(const std::vector<core::NodeId>& ids, core::NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

void Erase(std::vector<core::NodeId>& ids, core::NodeId id) {
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
}

}  // namespace

void Agent::Reply(const net::UdpAddress& to, const wire::ClientRequest& request,
                  wire::ReplyCode code, std::string payload, std::string error) {
  SendTo(to, wire::ClientReply{request.client_id, request.sequence, code, std::move(payload),
                               std::move(error)});
}

void Agent::OnClientRequest(uint64_t sender, const wire::ClientRequest& request,
                            const net::UdpAddress& from) {
  using wire::ClientOp;
  using wire::ReplyCode;
  if (request.op == ClientOp::kAlive) {
    if (request.client_id == sender) last_heard_tick_[sender] = ticks_;  // a member, not a CLI
    return;
  }
  if (request.op == ClientOp::kStatus) {
    return Reply(from, request, ReplyCode::kOk, EncodeStatusReport(BuildStatus()));
  }
  if (request.op == ClientOp::kIdentify) return HandleIdentify(request, from);
  if (request.op == ClientOp::kMetrics) {
    UpdateMetrics();
    return Reply(from, request, ReplyCode::kOk, metrics_.Render());
  }
  if (!core()) return Reply(from, request, ReplyCode::kNoQuorum, "", "this node is still joining");
  switch (request.op) {
    case ClientOp::kMembers:
      return Reply(from, request, ReplyCode::kOk, MembersPayload());
    case ClientOp::kLocalGet:
      return HandleLocalGet(request, from);
    case ClientOp::kRegister:
      return HandleRegister(request, from);
    case ClientOp::kKv:
      return HandleKv(request, from);
    case ClientOp::kJoin:
      return HandleJoin(request, from);
    case ClientOp::kLease:
      return HandleLease(request, from);
    case ClientOp::kLeaseList:
      return HandleLeaseList(request, from);
    case ClientOp::kWatch:
      watch_hub_.OnApplied(state_machine().kv());
      if (!watch_hub_.OnRequest(request.client_id, request.sequence, request.payload, from,
                                SteadyNowMs())) {
        Reply(from, request, ReplyCode::kError, "", "malformed watch request");
      }
      return;
    case ClientOp::kJob:
      return HandleJob(request, from);
    case ClientOp::kJobQuery:
      return HandleJobQuery(request, from);
    case ClientOp::kKeyInstall:
    case ClientOp::kKeyUse:
    case ClientOp::kKeyRemove:
    case ClientOp::kKeyList:
      return HandleKeyRequest(request, from);
    case ClientOp::kLeave: {
      core::NodeId node = 0;
      const auto& text = request.payload;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), node);
      if (error != std::errc() || end != text.data() + text.size() || node == 0) {
        return Reply(from, request, ReplyCode::kError, "", "not a node id");
      }
      core::Config config = core()->membership().Latest();
      if (!config.Contains(node)) {
        return Reply(from, request, ReplyCode::kError, "", "node " + text + " is not a member");
      }
      if (config.IsVoter(node) && config.voters.size() == 1) {
        return Reply(from, request, ReplyCode::kError, "", "cannot remove the last voter");
      }
      Erase(config.voters, node);
      Erase(config.learners, node);
      ProposeConfig(config);
      ProposeInternal({0, 0, core::CommandKind::kApp, sm::EncodeRemoveMember(node), {}});
      return Reply(from, request, ReplyCode::kOk, "", "");
    }
    default:
      return Reply(from, request, ReplyCode::kError, "", "unsupported request");
  }
}

void Agent::HandleJoin(const wire::ClientRequest& request, const net::UdpAddress& from) {
  sm::MembersTable decoded;
  if (!decoded.Apply(0, request.payload) || decoded.members().size() != 1) {
    return Reply(from, request, wire::ReplyCode::kError, "", "malformed join request");
  }
  sm::Member member = decoded.members().begin()->second;
  if (state_machine().members().WasRemoved(member.node_id)) {
    return Reply(from, request, wire::ReplyCode::kError, "",
                 "node " + std::to_string(member.node_id) +
                     " was removed from the cluster (pifleet leave); it joins again only as a "
                     "new node, from an empty data dir");
  }
  member.updated_slot = 0;
  // The joiner is told why, so it does not wait for an answer that never comes.
  if (Status status = sm::CheckMemberText(member); !status.ok()) {
    return Reply(from, request, wire::ReplyCode::kError, "", "join refused: " + status.message());
  }
  // A node listening on 0.0.0.0 is reached where its datagrams come from.
  net::Endpoint endpoint;
  if (!net::ParseEndpoint(member.address, &endpoint).ok() || endpoint.host == "0.0.0.0" ||
      endpoint.host == "::") {
    member.address = net::Endpoint{from.address().to_string(), from.port()}.ToString();
  }
  addresses_[member.node_id] = from;
  last_heard_tick_[member.node_id] = ticks_;
  auto known = state_machine().members().Find(member.node_id);
  if (known) known->updated_slot = 0;
  if (!known || !(*known == member)) {
    ProposeInternal({0, 0, core::CommandKind::kApp, sm::EncodeUpsertMember(member), {}});
  }
  core::Config config = core()->membership().Latest();
  if (!config.Contains(member.node_id) && ticks_ >= config_proposed_tick_ + kConfigSettleTicks) {
    config.learners.push_back(member.node_id);
    ProposeConfig(config);
  }
  Reply(from, request, wire::ReplyCode::kOk, EncodeClusterFile(initial_config_));
}

void Agent::SendJoinRequests() {
  const sm::Member self = SelfMember();
  const wire::ClientRequest request{meta_.node_id, meta_.boot_epoch, wire::ClientOp::kJoin,
                                    sm::EncodeUpsertMember(self)};
  for (const net::UdpAddress& address : join_addresses_) SendTo(address, request);
}

void Agent::WarnIfJoinUnanswered() {
  if (join_addresses_.empty()) return;  // --discover has found no member yet
  if (join_first_tick_ == 0) join_first_tick_ = ticks_;
  const uint64_t silent = ticks_ - join_first_tick_;
  // Called once per join attempt (every 500 ms): warns at the first call past 3 s, then every 30 s.
  if (join_answered_ || silent < kJoinSilentTicks ||
      (silent - kJoinSilentTicks) % kJoinWarnEveryTicks >= kJoinRetryTicks) {
    return;
  }
  // Members drop, unanswered, every datagram they cannot open: a joiner with another key or
  // cluster name hears nothing at all, so silence is the sign.
  std::string addresses;
  for (const net::UdpAddress& address : join_addresses_) {
    addresses += (addresses.empty() ? "" : ", ") +
                 net::Endpoint{address.address().to_string(), address.port()}.ToString();
  }
  log_->Log(Level::kWarning,
            "no member has answered this node's join requests for " +
                std::to_string(silent * core::kTickMs / 1000) +
                " s; a wrong cluster key (--key-file) or cluster name (--cluster) is the "
                "likely cause: members drop what they cannot open, without a word",
            {{"JOIN", addresses}, {"CLUSTER", config_.cluster}, {"KEY", config_.key_file}});
}

void Agent::OnClientReply(uint64_t sender, const wire::ClientReply& reply,
                          const net::UdpAddress& from) {
  if (reply.client_id != meta_.node_id) return;
  join_answered_ = true;
  if (reply.code != wire::ReplyCode::kOk) {
    if (!core()) {
      log_->LogLimited("join_refused", ticks_ * core::kTickMs, Level::kError,
                       "a member refused to let this node join: " + EscapeForTerminal(reply.error),
                       {{"MEMBER", std::to_string(sender)}});
    }
    return;
  }
  addresses_[sender] = from;  // the member we joined through
  last_heard_tick_[sender] = ticks_;
  if (core()) return;
  core::Config initial;
  if (Status status = DecodeClusterFile("join reply", reply.payload, &initial); !status.ok()) {
    log_->Log(Level::kError, "bad join reply: " + status.message());
    return;
  }
  if (Status status = WriteClusterFile(env_, config_.data_dir, initial); !status.ok()) {
    log_->Log(Level::kError, "cannot write cluster.meta: " + status.ToString());
    exit_code_ = 1;
    io_.stop();
    return;
  }
  log_->Log(Level::kNotice, "joined through a member; catching up",
            {{"THROUGH", std::to_string(sender)}});
  StartCore(initial, durable_);
}

void Agent::ProposeConfig(const core::Config& config) {
  config_proposed_tick_ = ticks_;
  log_->Log(Level::kNotice, "proposing a configuration",
            {{"VOTERS", std::to_string(config.voters.size())},
             {"LEARNERS", std::to_string(config.learners.size())}});
  core::Command command;
  command.kind = core::CommandKind::kReconfig;
  command.config = config;
  // Every caller derived `config` from Latest(): it applies only if that is still the newest.
  command.replaces = core()->membership().LatestFirstSlot();
  ProposeInternal(std::move(command));
}

sm::Member Agent::SelfMember() const {
  sm::Member self;
  self.node_id = meta_.node_id;
  self.name = config_.name;
  self.address =
      net::Endpoint{listen_address_.address().to_string(), listen_address_.port()}.ToString();
  self.role = config_.role;
  self.version = build_info().version;
  hal_.FillMember(&self);  // board, serial and the capacity last published
  return self;
}

void Agent::RecordRemoval() {
  removed_recorded_ = true;
  const std::string text = "node " + std::to_string(meta_.node_id) +
                           " was removed from the cluster; an empty data dir joins as a new node\n";
  if (Status status = store::WriteFileAtomically(env_, config_.data_dir, kRemovedFileName, text);
      !status.ok()) {
    log_->Log(Level::kError, "cannot record the removal: " + status.ToString());
  }
}

void Agent::RunAutopilot() {
  const core::Config& latest = core()->membership().Latest();
  // A node that is not yet in the configuration keeps asking to join; one that was in it and
  // has been removed (`pifleet leave`) stays out rather than rejoin through --join.
  if (latest.Contains(meta_.node_id)) {
    was_member_ = true;
  } else if (was_member_ || state_machine().members().WasRemoved(meta_.node_id)) {
    if (!removed_recorded_) {
      RecordRemoval();
      if (core()->SteppedDownAt() != 0) {
        log_->Log(Level::kNotice, "removed from the configuration: stepped down as leader",
                  {{"SLOT", std::to_string(core()->SteppedDownAt())}});
      }
    }
    log_->LogLimited("removed", ticks_ * core::kTickMs, Level::kWarning,
                     "removed from the cluster configuration; not rejoining (stop this agent)");
  } else if (!join_addresses_.empty()) {
    SendJoinRequests();
  }
  // Every member keeps its own row of the members table current (the seed has no one to join).
  if (latest.Contains(meta_.node_id) && ticks_ >= self_upsert_tick_ + kConfigSettleTicks) {
    auto row = state_machine().members().Find(meta_.node_id);
    if (row) row->updated_slot = 0;
    sm::Member self = SelfMember();
    const bool unroutable = self.address.rfind("0.0.0.0:", 0) == 0;  // joiners learn it for us
    if (unroutable && row) self.address = row->address;  // so capacity updates still go out
    if ((!row && !unroutable) || (row && !(*row == self))) {
      self_upsert_tick_ = ticks_;
      ProposeInternal({0, 0, core::CommandKind::kApp, sm::EncodeUpsertMember(self), {}});
    }
  }
  if (!core()->IsLeader()) {
    const core::NodeId leader = core()->LeaderHint();
    auto address = leader != 0 ? AddressOf(leader) : std::nullopt;
    if (address)
      SendTo(*address, wire::ClientRequest{meta_.node_id, 0, wire::ClientOp::kAlive, ""});
    return;
  }
  if (ticks_ < config_proposed_tick_ + kConfigSettleTicks) return;
  // A removal (`pifleet leave`) whose configuration lost a race with another change (the
  // compare-and-set of Membership::OnApplied) is proposed again from the newest configuration.
  for (const auto* ids : {&latest.voters, &latest.learners}) {
    for (core::NodeId id : *ids) {
      if (!state_machine().members().WasRemoved(id)) continue;
      if (latest.IsVoter(id) && latest.voters.size() == 1) continue;
      core::Config next = latest;
      Erase(next.voters, id);
      Erase(next.learners, id);
      return ProposeConfig(next);
    }
  }
  const auto heard_within = [this](core::NodeId id, uint64_t bound) {
    if (id == meta_.node_id) return true;
    auto it = last_heard_tick_.find(id);
    return it != last_heard_tick_.end() && ticks_ - it->second <= bound;
  };
  std::vector<core::NodeId> candidates;
  for (core::NodeId id : latest.learners) {
    auto member = state_machine().members().Find(id);
    if (member && member->role != "learner" && heard_within(id, kAliveTicks)) {
      candidates.push_back(id);
    }
  }
  if (candidates.empty()) return;
  core::Config next = latest;
  if (latest.voters.size() < config_.voters) {
    Erase(next.learners, candidates.front());
    next.voters.push_back(candidates.front());
    return ProposeConfig(next);
  }
  for (core::NodeId voter : latest.voters) {
    if (heard_within(voter, kVoterDeadTicks)) continue;
    Erase(next.voters, voter);
    next.learners.push_back(voter);  // back as a voter only if the autopilot promotes it
    Erase(next.learners, candidates.front());
    next.voters.push_back(candidates.front());
    log_->Log(Level::kNotice, "autopilot: replacing a silent voter",
              {{"VOTER", std::to_string(voter)}, {"WITH", std::to_string(candidates.front())}});
    return ProposeConfig(next);
  }
}

std::string Agent::MembersPayload() const {
  // Voters, then learners, then rows of nodes in no configuration (wire::MembersBody).
  const core::Config& latest = core()->membership().Latest();
  std::vector<core::NodeId> ids = latest.voters;
  ids.insert(ids.end(), latest.learners.begin(), latest.learners.end());
  for (const auto& [id, member] : state_machine().members().members()) {
    if (!Contains(ids, id)) ids.push_back(id);
  }
  wire::MembersBody body;
  body.view_node_id = meta_.node_id;  // "last heard" is this node's view: only a leader hears all
  body.leader_id = core()->IsLeader() ? meta_.node_id : core()->LeaderHint();
  for (core::NodeId id : ids) {
    wire::MemberRow row;
    row.node_id = id;
    row.voting = latest.IsVoter(id) ? "voter" : latest.Contains(id) ? "learner" : "none";
    if (id == meta_.node_id) {
      row.last_heard_ms = 0;
    } else if (auto it = last_heard_tick_.find(id); it != last_heard_tick_.end()) {
      row.last_heard_ms = static_cast<int64_t>((ticks_ - it->second) * core::kTickMs);
    }
    if (const auto member = state_machine().members().Find(id)) {
      row.name = member->name;
      row.address = member->address;
      row.role = member->role;
      row.version = member->version;
      row.board = member->board;
      row.serial = member->serial;
      row.capacity_milli = static_cast<int64_t>(member->capacity_milli);
      row.temperature_milli = member->temperature_milli;
      row.throttled_bits = member->throttled_bits;
    }
    body.rows.push_back(std::move(row));
  }
  return wire::EncodeBody(body);
}

void Agent::UpdateMetrics() {
  using T = Metrics::Type;
  const StatusReport report = BuildStatus();
  metrics_.Declare("pifleet_info", T::kGauge, "Agent version and node id.");
  metrics_.Set("pifleet_info",
               {{"version", report.version}, {"node_id", std::to_string(report.node_id)}}, 1);
  metrics_.Declare("pifleet_is_leader", T::kGauge, "1 on the leader.");
  metrics_.Set("pifleet_is_leader", {}, report.role == "leader" ? 1 : 0);
  metrics_.Declare("pifleet_applied_slot", T::kGauge, "Highest slot applied.");
  metrics_.Set("pifleet_applied_slot", {}, static_cast<double>(report.applied_slot));
  metrics_.Declare("pifleet_voters", T::kGauge, "Voters in the newest configuration.");
  metrics_.Set("pifleet_voters", {}, static_cast<double>(report.voters.size()));
  metrics_.Declare("pifleet_learners", T::kGauge, "Learners in the newest configuration.");
  metrics_.Set("pifleet_learners", {}, static_cast<double>(report.learners.size()));
  metrics_.Declare("pifleet_disk_full", T::kGauge,
                   "1 while the WAL cannot sync for want of space.");
  metrics_.Set("pifleet_disk_full", {}, report.disk_full ? 1 : 0);
  metrics_.Declare("pifleet_disk_full_events_total", T::kCounter,
                   "Times the disk became full (each episode once).");
  metrics_.Set("pifleet_disk_full_events_total", {},
               static_cast<double>(driver_->disk_full_events()));
  metrics_.Declare("pifleet_wal_syncs_total", T::kCounter, "fdatasync calls on WAL segments.");
  metrics_.Set("pifleet_wal_syncs_total", {}, static_cast<double>(wal_->stats().syncs));
  metrics_.Declare("pifleet_wire_dropped_total", T::kCounter, "Datagrams dropped, by reason.");
  for (const auto& [reason, count] : report.dropped) {
    metrics_.Set("pifleet_wire_dropped_total", {{"reason", reason}}, static_cast<double>(count));
  }
  metrics_.Declare("pifleet_client_sessions", T::kGauge,
                   "Client sessions the state machine holds.");
  metrics_.Set("pifleet_client_sessions", {},
               static_cast<double>(state_machine().sessions().size()));
  metrics_.Declare("pifleet_session_duplicates_total", T::kCounter,
                   "Commands answered with their first result (retries and replays), not re-run.");
  metrics_.Set("pifleet_session_duplicates_total", {}, static_cast<double>(sessions_duplicates_));
  metrics_.Declare("pifleet_udp_send_failures_total", T::kCounter, "Datagrams the kernel refused.");
  metrics_.Set("pifleet_udp_send_failures_total", {}, static_cast<double>(socket_.send_failures()));
  metrics_.Declare("pifleet_commands_refused_total", T::kCounter,
                   "Commands refused as out of bounds: by the leader, or decided and refused at "
                   "apply (alike on every replica).");
  metrics_.Set("pifleet_commands_refused_total", {{"stage", "propose"}},
               core() ? static_cast<double>(core()->ProposalsRefused()) : 0);
  metrics_.Set("pifleet_commands_refused_total", {{"stage", "apply"}},
               core() ? static_cast<double>(core()->AppliedRefused()) : 0);
  metrics_.Declare("pifleet_reconfigs_stale_total", T::kCounter,
                   "Decided reconfigurations without effect: the configuration they replace had "
                   "been replaced (a replay or a lost race; the same count on every replica).");
  metrics_.Set("pifleet_reconfigs_stale_total", {},
               core() ? static_cast<double>(core()->ReconfigsStale()) : 0);
  UpdateNetMetrics();
}

}  // namespace pifleet::daemon
