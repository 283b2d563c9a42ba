// The agent's own state-machine commands (its members row, removals, key reports) go through the
// log in a client session of their own, like any client's (DESIGN §2, "Exactly-once commands"):
// registered through the log, one command outstanding at a time, each (session, sequence)
// applied once. A peer Request replayed later is refused by the state machine, never re-applied.
// Pure bookkeeping: the agent proposes what Due() returns and reports every applied command.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "agent/core/types.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/sm/kv_op.h"

namespace pifleet::daemon {

class InternalSession {
 public:
  // nonce: random per process, names this agent's registrations (never a session id).
  explicit InternalSession(uint64_t nonce) : nonce_(nonce) {}

  // Queues a command payload; false when the queue was full and its oldest entry went.
  bool Enqueue(std::string payload);
  // The command to propose now: a registration while there is no session, else the head of the
  // queue; nothing while one is outstanding and not yet due again.
  std::optional<core::Command> Due(uint64_t now_ticks, uint64_t now_ms);
  // Every applied application command with its result (from any proposer).
  void OnApplied(const core::Command& command, const sm::KvResult& result);

  uint64_t session() const { return session_; }
  size_t queued() const { return queue_.size(); }

 private:
  uint64_t nonce_;
  uint64_t session_ = 0;        // 0: none (yet, or it expired): register
  uint64_t sequence_ = 0;       // last sequence used in session_
  uint64_t head_sequence_ = 0;  // of the outstanding head; 0 = not proposed yet
  uint64_t registrations_ = 0;  // sequence of this agent's registration commands
  bool outstanding_ = false;
  uint64_t proposed_tick_ = 0;
  std::deque<std::string> queue_;
};

}  // namespace pifleet::daemon
