#include "agent/daemon/autopilot.h"

#include <algorithm>
#include <charconv>

#include "agent/daemon/cluster_file.h"
#include "agent/daemon/daemon_constants.h"

namespace pifleet::daemon {
namespace {

void Erase(std::vector<core::NodeId>& ids, core::NodeId id) {
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
}

}  // namespace

Autopilot::Autopilot(AgentContext& context, Peers& peers, OwnProposals& own,
                     AutopilotOptions options)
    : context_(context), peers_(peers), own_(own), options_(std::move(options)) {}

bool Autopilot::Run() {
  const core::Config& latest = context_.core()->membership().Latest();
  const bool ask_to_join = FollowOwnStanding(latest);
  // Every member keeps its own row of the members table current (the seed has no one to join).
  if (latest.Contains(context_.node_id()) &&
      context_.ticks() >= self_upsert_tick_ + kConfigSettleTicks) {
    UpsertSelfIfChanged();
  }
  if (!context_.core()->IsLeader()) {
    ReportAliveToLeader();
  } else if (context_.ticks() >= config_proposed_tick_ + kConfigSettleTicks) {
    ChangeVoters(latest);
  }
  return ask_to_join;
}

bool Autopilot::FollowOwnStanding(const core::Config& latest) {
  // A node that is not yet in the configuration keeps asking to join; one that was in it and
  // has been removed (`pifleet leave`) stays out rather than rejoin through --join.
  const core::NodeId self = context_.node_id();
  if (latest.Contains(self)) {
    was_member_ = true;
    return false;
  }
  if (!was_member_ && !context_.state_machine().members().WasRemoved(self)) return true;
  if (!removed_recorded_) {
    RecordRemoval();
    if (context_.core()->SteppedDownAt() != 0) {
      context_.logger().Log(Level::kNotice,
                            "removed from the configuration: stepped down as leader",
                            {{"SLOT", std::to_string(context_.core()->SteppedDownAt())}});
    }
  }
  context_.logger().LogLimited(
      "removed", context_.ticks() * core::kTickMs, Level::kWarning,
      "removed from the cluster configuration; not rejoining (stop this agent)");
  return false;
}

void Autopilot::RecordRemoval() {
  removed_recorded_ = true;
  const std::string text = "node " + std::to_string(context_.node_id()) +
                           " was removed from the cluster; an empty data dir joins as a new node\n";
  if (Status status =
          store::WriteFileAtomically(options_.env, options_.data_dir, kRemovedFileName, text);
      !status.ok()) {
    context_.logger().Log(Level::kError, "cannot record the removal: " + status.ToString());
  }
}

void Autopilot::UpsertSelfIfChanged() {
  auto row = context_.state_machine().members().Find(context_.node_id());
  if (row) row->updated_slot = 0;
  sm::Member self = options_.self_member();
  const bool unroutable = self.address.rfind("0.0.0.0:", 0) == 0;  // joiners learn it for us
  if (unroutable && row) self.address = row->address;  // so capacity updates still go out
  if ((!row && !unroutable) || (row && !(*row == self))) {
    self_upsert_tick_ = context_.ticks();
    own_.Propose({0, 0, core::CommandKind::kApp, sm::EncodeUpsertMember(self), {}});
  }
}

void Autopilot::ReportAliveToLeader() {
  const core::NodeId leader = context_.core()->LeaderHint();
  if (leader == 0) return;
  if (auto address = peers_.AddressOf(leader, context_.state_machine().members())) {
    context_.SendTo(*address,
                    wire::ClientRequest{context_.node_id(), 0, wire::ClientOp::kAlive, ""});
  }
}

void Autopilot::ChangeVoters(const core::Config& latest) {
  if (ReproposeRemoval(latest)) return;
  const uint64_t now = context_.ticks();
  const auto heard_within = [&](core::NodeId id, uint64_t bound) {
    return id == context_.node_id() || peers_.HeardWithin(id, now, bound);
  };
  if (shrink_ && latest.voters.size() > options_.voters) {
    return DemoteOneVoter(latest, heard_within);
  }
  std::vector<core::NodeId> candidates;
  for (core::NodeId id : latest.learners) {
    auto member = context_.state_machine().members().Find(id);
    if (member && member->role != "learner" && heard_within(id, kAliveTicks)) {
      candidates.push_back(id);
    }
  }
  if (candidates.empty()) return;
  core::Config next = latest;
  if (latest.voters.size() < options_.voters) {
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
    context_.logger().Log(
        Level::kNotice, "autopilot: replacing a silent voter",
        {{"VOTER", std::to_string(voter)}, {"WITH", std::to_string(candidates.front())}});
    return ProposeConfig(next);
  }
}

void Autopilot::DemoteOneVoter(const core::Config& latest,
                               const std::function<bool(core::NodeId, uint64_t)>& heard_within) {
  // The runtime setting `voters` went down: a silent voter goes first, else the newest voter;
  // never this node (the leader), so the change needs no election.
  core::NodeId demoted = 0;
  for (core::NodeId voter : latest.voters) {
    if (voter == context_.node_id()) continue;
    demoted = voter;
    if (!heard_within(voter, kAliveTicks)) break;
  }
  if (demoted == 0) return;
  core::Config next = latest;
  Erase(next.voters, demoted);
  next.learners.push_back(demoted);
  context_.logger().Log(
      Level::kNotice, "autopilot: fewer voters wanted; demoting one",
      {{"VOTER", std::to_string(demoted)}, {"VOTERS", std::to_string(options_.voters)}});
  ProposeConfig(next);
}

bool Autopilot::ReproposeRemoval(const core::Config& latest) {
  // A removal (`pifleet leave`) whose configuration lost a race with another change (the
  // compare-and-set of Membership::OnApplied) is proposed again from the newest configuration.
  for (const auto* ids : {&latest.voters, &latest.learners}) {
    for (core::NodeId id : *ids) {
      if (!context_.state_machine().members().WasRemoved(id)) continue;
      if (latest.IsVoter(id) && latest.voters.size() == 1) continue;
      core::Config next = latest;
      Erase(next.voters, id);
      Erase(next.learners, id);
      ProposeConfig(next);
      return true;
    }
  }
  return false;
}

void Autopilot::AdmitLearner(core::NodeId node) {
  core::Config config = context_.core()->membership().Latest();
  if (!config.Contains(node) && context_.ticks() >= config_proposed_tick_ + kConfigSettleTicks) {
    config.learners.push_back(node);
    ProposeConfig(config);
  }
}

void Autopilot::HandleLeave(const wire::ClientRequest& request, const net::UdpAddress& from) {
  core::NodeId node = 0;
  const std::string& text = request.payload;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), node);
  if (error != std::errc() || end != text.data() + text.size() || node == 0) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "", "not a node id");
  }
  core::Config config = context_.core()->membership().Latest();
  if (!config.Contains(node)) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "node " + text + " is not a member");
  }
  if (config.IsVoter(node) && config.voters.size() == 1) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "cannot remove the last voter");
  }
  Erase(config.voters, node);
  Erase(config.learners, node);
  ProposeConfig(config);
  own_.Propose({0, 0, core::CommandKind::kApp, sm::EncodeRemoveMember(node), {}});
  Reply(context_, from, request, wire::ReplyCode::kOk, "", "");
}

void Autopilot::ProposeConfig(const core::Config& config) {
  config_proposed_tick_ = context_.ticks();
  context_.logger().Log(Level::kNotice, "proposing a configuration",
                        {{"VOTERS", std::to_string(config.voters.size())},
                         {"LEARNERS", std::to_string(config.learners.size())}});
  core::Command command;
  command.kind = core::CommandKind::kReconfig;
  command.config = config;
  // Every caller derived `config` from Latest(): it applies only if that is still the newest.
  command.replaces = context_.core()->membership().LatestFirstSlot();
  own_.Propose(std::move(command));
}

}  // namespace pifleet::daemon
