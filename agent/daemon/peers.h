// Where this node reaches each other node and when it last heard from it: the liveness the
// autopilot, the LEDs and `pifleet members` show. Fed by the datagrams the agent accepts
// (agent_net.cc), the join requests it answers (joiner.cc) and members' alive reports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "agent/core/types.h"
#include "agent/net/udp_socket.h"
#include "agent/sm/members.h"

namespace pifleet::daemon {

class Peers {
 public:
  // A datagram from node came from address at tick.
  void Heard(core::NodeId node, const net::UdpAddress& address, uint64_t tick);
  // Node reported itself alive (its address may be a client's port: not recorded).
  void HeardAlive(core::NodeId node, uint64_t tick) { last_heard_tick_[node] = tick; }

  bool heard_any() const { return !last_heard_tick_.empty(); }
  std::optional<uint64_t> LastHeardTick(core::NodeId node) const;
  // Heard within bound_ticks before now_tick.
  bool HeardWithin(core::NodeId node, uint64_t now_tick, uint64_t bound_ticks) const;
  // Where node last spoke from, else the address its members row publishes.
  std::optional<net::UdpAddress> AddressOf(core::NodeId node, const sm::MembersTable& members);

 private:
  std::map<core::NodeId, net::UdpAddress> addresses_;
  std::map<core::NodeId, uint64_t> last_heard_tick_;
};

}  // namespace pifleet::daemon
