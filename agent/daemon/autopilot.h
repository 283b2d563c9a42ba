// The membership changes this agent proposes: the autopilot (promote learners until `voters`
// voters, replace a voter silent for kVoterDeadTicks), admitting a joiner as a learner, `pifleet
// leave`, this node's own members row, and noticing (and recording in the data dir) that this
// node was removed, so that it never rejoins alone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/daemon/agent_context.h"
#include "agent/daemon/own_proposals.h"
#include "agent/daemon/peers.h"
#include "agent/store/env.h"

namespace pifleet::daemon {

struct AutopilotOptions {
  size_t voters = 3;                        // voters the autopilot keeps
  store::Env* env;                          // the removal record goes through it
  std::string data_dir;                     // where kRemovedFileName is written
  std::function<sm::Member()> self_member;  // this node's members row as it is now
};

class Autopilot {
 public:
  Autopilot(AgentContext& context, Peers& peers, OwnProposals& own, AutopilotOptions options);

  // At start, when the data dir records a removal: this node stays out.
  void MarkRemovedAtStart() { was_member_ = removed_recorded_ = true; }
  // In a configuration now or before (or removed): "removed" rather than "joining" once out.
  bool was_member() const { return was_member_; }

  // The voter count from the next round on. A node's own count (its file or flag) only grows the
  // voter set, so nodes started with different counts do not undo each other; the cluster's
  // runtime setting (sm/settings.h, `shrink`) also demotes voters down to it.
  void set_voters(size_t voters, bool shrink) {
    options_.voters = voters;
    shrink_ = shrink;
  }

  // The maintenance round, with a core. True when this node is in no configuration and was
  // never removed: it should keep asking to join.
  bool Run();
  // A joiner becomes a learner, unless it is already in the configuration or a configuration
  // was proposed less than kConfigSettleTicks ago (the joiner asks again).
  void AdmitLearner(core::NodeId node);
  // `pifleet leave NODE_ID`: out of the configuration and the members table.
  void HandleLeave(const wire::ClientRequest& request, const net::UdpAddress& from);

 private:
  bool FollowOwnStanding(const core::Config& latest);  // true: ask to join
  void RecordRemoval();                                // writes kRemovedFileName
  void UpsertSelfIfChanged();
  void ReportAliveToLeader();
  void ChangeVoters(const core::Config& latest);  // the leader's part
  void DemoteOneVoter(const core::Config& latest,
                      const std::function<bool(core::NodeId, uint64_t)>& heard_within);
  bool ReproposeRemoval(const core::Config& latest);  // true: proposed
  void ProposeConfig(const core::Config& config);

  AgentContext& context_;
  Peers& peers_;
  OwnProposals& own_;
  AutopilotOptions options_;  // voters changes at runtime (set_voters)
  bool shrink_ = false;
  uint64_t config_proposed_tick_ = 0;
  uint64_t self_upsert_tick_ = 0;
  bool was_member_ = false;
  bool removed_recorded_ = false;
};

}  // namespace pifleet::daemon
