// Replayed client commands and the exactly-once check (issue 13, DESIGN §2). The simulator
// re-proposes old, answered commands of its clients at random nodes, and proposes session expiry
// now and then; a (session, sequence) that any node's state machine executes twice in one
// incarnation is a violation. Sessions expire or are evicted by commands in the log only, so a
// replay after that is refused; one before it is answered from the session (a duplicate).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "agent/core/rng.h"
#include "agent/core/types.h"
#include "agent/sm/kv_op.h"

namespace pifleet::sim {

inline constexpr size_t kReplayCommandsMax = 32;  // answered commands kept for replay

class SessionReplay {
 public:
  // Called for every command a node's state machine applied; returns a violation or "".
  std::string OnApplied(uint64_t node, uint32_t incarnation, const core::Command& command,
                        const sm::KvResult& result);
  // An old command to replay (nullopt before any was applied).
  std::optional<core::Command> Pick(core::Rng& rng) const;
  void NoteReplayed() { ++replayed_; }
  uint64_t replayed() const { return replayed_; }
  uint64_t refused() const { return refused_; }

 private:
  std::deque<core::Command> answered_;
  // Per node: its incarnation and every (session, sequence) it executed in it.
  std::map<uint64_t, std::pair<uint32_t, std::set<std::pair<uint64_t, uint64_t>>>> executed_;
  uint64_t replayed_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace pifleet::sim
