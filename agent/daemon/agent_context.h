// The seam between the small Agent (agent.h) and its parts (client_requests.h, own_proposals.h,
// autopilot.h, joiner.h, key_rotation.h, node_leds.h, peers.h): what a part may see and do of
// the agent, and nothing more. Every call comes from the agent's one event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/base/status.h"
#include "agent/core/core.h"
#include "agent/daemon/log.h"
#include "agent/net/udp_socket.h"
#include "agent/sm/state_machine.h"
#include "agent/wire/codec.h"

namespace pifleet::daemon {

class AgentContext {
 public:
  virtual ~AgentContext() = default;

  // Loop ticks since the agent started, core::kTickMs each: the parts' clock.
  virtual uint64_t ticks() const = 0;
  virtual core::NodeId node_id() const = 0;
  // The consensus core, read-only; null while this node is still joining.
  virtual const core::Core* core() const = 0;
  // The replicated state machine as applied so far (read-only: it changes only by the log).
  virtual const sm::StateMachine& state_machine() const = 0;
  virtual Logger& logger() = 0;

  // Hands a command to the core; InvalidArgument when it is out of bounds, another error when
  // this node cannot propose now (no core, not the leader's turn, queue full).
  virtual Status Propose(const core::Command& command) = 0;
  // Sends one message, sealed (a client reply in the key the client asked with).
  virtual void SendTo(const net::UdpAddress& to, const wire::WireMessage& message) = 0;
  // Runs fn on the loop after the current event: never re-entrantly from inside the driver.
  virtual void Post(std::function<void()> fn) = 0;
};

// Answers one client request (its client id and sequence) with a code, a body and an error.
void Reply(AgentContext& context, const net::UdpAddress& to, const wire::ClientRequest& request,
           wire::ReplyCode code, std::string payload, std::string error = "");

// Milliseconds on the wall clock: the time clients' session commands carry into the log.
uint64_t WallNowMs();

}  // namespace pifleet::daemon
