// What the LEDs show about this node (docs/leds.md): its place in the cluster for the status
// LED, the leader heartbeats for the heartbeat LED, and `pifleet identify` (ClientOp::kIdentify).
// Owns the hardware, AgentHal (agent_hal.h), for the agent's life.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/daemon/agent_context.h"
#include "agent/daemon/agent_hal.h"
#include "agent/daemon/peers.h"

namespace pifleet::daemon {

class NodeLeds {
 public:
  NodeLeds(AgentContext& context, const Peers& peers, std::string sysroot,
           const hal::LedConfig& leds, Logger* log);

  AgentHal& hal() { return hal_; }
  const AgentHal& hal() const { return hal_; }

  // Every loop tick: the probes, and the status LED from this node's view of the cluster.
  void Tick(uint64_t now_ms, bool disk_full) { hal_.Tick(now_ms, View(now_ms), disk_full); }
  uint64_t NextDueMs(uint64_t now_ms) const { return hal_.NextDueMs(now_ms); }
  // One heartbeat goes to every node at once: the LED toggles once for the round.
  void NoteHeartbeatsSent(const std::vector<core::Envelope>& messages);
  // Payload "NODE_ID SECONDS"; answered with this node's id.
  void HandleIdentify(const wire::ClientRequest& request, const net::UdpAddress& from);

 private:
  hal::NodeView View(uint64_t now_ms) const;

  AgentContext& context_;
  const Peers& peers_;
  AgentHal hal_;
};

}  // namespace pifleet::daemon
