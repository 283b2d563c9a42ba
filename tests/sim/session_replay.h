// Replayed commands and the exactly-once check (issue 13, DESIGN §2). The simulator re-proposes
// old, answered commands of its clients, and reconfigurations that took effect, at random nodes,
// and proposes session expiry now and then. A (session, sequence) that any node's state machine
// executes twice in one incarnation is a violation, and so is a reconfiguration (client,
// sequence) that takes effect twice. Sessions expire or are evicted by commands in the log only,
// so a replay after that is refused; one before it is answered from the session (a duplicate).
// A replayed reconfiguration names a configuration replaced since, so it is stale.
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
  // Called for every reconfiguration a node applied; `took_effect`: it changed the
  // configuration. Returns a violation or "".
  std::string OnReconfigApplied(uint64_t node, uint32_t incarnation, const core::Command& command,
                                bool took_effect);
  // An old command to replay (nullopt before any was applied).
  std::optional<core::Command> Pick(core::Rng& rng) const;
  void NoteReplayed() { ++replayed_; }
  uint64_t replayed() const { return replayed_; }
  uint64_t refused() const { return refused_; }
  uint64_t reconfigs_stale() const { return reconfigs_stale_; }

 private:
  using Executed = std::set<std::pair<uint64_t, uint64_t>>;  // (client or session, sequence)
  // This incarnation's set of `node` in `by_node`, emptied when the node restarted (it
  // re-applies from its snapshot and WAL).
  static Executed& ForIncarnation(std::map<uint64_t, std::pair<uint32_t, Executed>>& by_node,
                                  uint64_t node, uint32_t incarnation);
  void Keep(std::deque<core::Command>& commands, const core::Command& command);

  std::deque<core::Command> answered_;
  std::deque<core::Command> reconfigs_;  // few, so kept apart to be replayed often enough
  std::map<uint64_t, std::pair<uint32_t, Executed>> executed_;
  std::map<uint64_t, std::pair<uint32_t, Executed>> reconfigured_;
  uint64_t reconfigs_stale_ = 0;
  uint64_t replayed_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace pifleet::sim
