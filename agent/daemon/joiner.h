// Joining, from both ends. A node in no cluster yet asks the members it knows (--join, or
// beacons heard with --discover) every kJoinRetryTicks, says why when nobody answers, and
// starts its core from the cluster.meta a member sends back. A member answers a join request:
// it proposes the joiner's members row and admits it as a learner (Autopilot::AdmitLearner).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/daemon/agent_context.h"
#include "agent/daemon/autopilot.h"
#include "agent/daemon/own_proposals.h"
#include "agent/daemon/peers.h"

namespace pifleet::daemon {

struct JoinerOptions {
  std::string cluster;                      // named in the warning about unanswered requests
  std::string key_file;                     // likewise
  std::function<sm::Member()> self_member;  // what a join request carries
};

class Joiner {
 public:
  Joiner(AgentContext& context, Peers& peers, OwnProposals& own, Autopilot& autopilot,
         JoinerOptions options);

  // A member to ask, from --join.
  void AddAddress(const net::UdpAddress& address) { addresses_.push_back(address); }
  // A member heard through discovery; false if known already or kDiscoveredAddressesMax are.
  bool AddDiscovered(const net::UdpAddress& address);
  bool has_addresses() const { return !addresses_.empty(); }
  // This process's boot epoch (node.meta), the sequence of its join requests.
  void set_boot_epoch(uint32_t epoch) { boot_epoch_ = epoch; }

  // The joiner's side, while there is no core: every kJoinRetryTicks.
  void SendJoinRequests();
  void WarnIfJoinUnanswered();  // no answer for a few seconds: likely a wrong key or cluster
  // A member's answer to a join request. With no core yet and an accepted join: the initial
  // configuration (cluster.meta) to start the core from.
  std::optional<core::Config> OnReply(uint64_t sender, const wire::ClientReply& reply,
                                      const net::UdpAddress& from);

  // The member's side (with a core): initial_config is this cluster's slot-1 configuration.
  void HandleJoin(const wire::ClientRequest& request, const net::UdpAddress& from,
                  const core::Config& initial_config);

 private:
  AgentContext& context_;
  Peers& peers_;
  OwnProposals& own_;
  Autopilot& autopilot_;
  const JoinerOptions options_;
  std::vector<net::UdpAddress> addresses_;
  uint32_t boot_epoch_ = 0;
  uint64_t first_tick_ = 0;  // first join request sent (0: none yet)
  bool answered_ = false;    // a member answered one (refusals count)
};

}  // namespace pifleet::daemon
