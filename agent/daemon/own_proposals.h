// The agent's own proposals: configurations (under a client id of its own, never applied to the
// state machine), its own state-machine commands (members row, removals, key reports) through
// an InternalSession, and, on the leader, the expiry of idle client sessions.
#pragma once

#include <cstdint>
#include <optional>

#include "agent/core/types.h"
#include "agent/daemon/agent_context.h"
#include "agent/daemon/internal_session.h"
#include "agent/sm/kv_op.h"

namespace pifleet::daemon {

class OwnProposals {
 public:
  explicit OwnProposals(AgentContext& context);

  // A reconfiguration goes to the core at once; an application command joins the session's
  // queue and goes out when the session is free (a full queue drops its oldest, logged).
  void Propose(core::Command command);
  // Proposes the session's due command (a registration, the head of the queue, or a resend).
  void Pump();
  // On the leader, once per kSessionExpireCheckTicks: expires client sessions idle for
  // kSessionIdleMs, when there are any.
  void ProposeSessionExpiryIfDue();
  // Every applied application command with its result (from any proposer).
  void OnApplied(const core::Command& command, const sm::KvResult& result);

 private:
  AgentContext& context_;
  const uint64_t client_id_;  // configurations and expiry commands
  uint64_t sequence_ = 0;
  InternalSession session_;   // this agent's own sm commands
  uint64_t expiry_tick_ = 0;  // last expiry check
};

}  // namespace pifleet::daemon
