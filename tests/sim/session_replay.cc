#include "tests/sim/session_replay.h"

#include "agent/sm/session_commands.h"

namespace pifleet::sim {

std::string SessionReplay::OnApplied(uint64_t node, uint32_t incarnation,
                                     const core::Command& command, const sm::KvResult& result) {
  if (sm::IsSessionCommand(command.payload)) return "";
  if (result.outcome == sm::KvResult::Outcome::kRefused) ++refused_;
  if (result.outcome != sm::KvResult::Outcome::kApplied) return "";
  if (!ForIncarnation(executed_, node, incarnation)
           .insert({command.client_id, command.sequence})
           .second) {
    return "n" + std::to_string(node) + " executed session " + std::to_string(command.client_id) +
           " sequence " + std::to_string(command.sequence) + " twice";
  }
  if (node == 1) Keep(answered_, command);  // one copy of each command suffices
  return "";
}

std::string SessionReplay::OnReconfigApplied(uint64_t node, uint32_t incarnation,
                                             const core::Command& command, bool took_effect) {
  if (!took_effect) {
    ++reconfigs_stale_;
    return "";
  }
  if (!ForIncarnation(reconfigured_, node, incarnation)
           .insert({command.client_id, command.sequence})
           .second) {
    return "n" + std::to_string(node) + " applied the reconfiguration of client " +
           std::to_string(command.client_id) + " sequence " + std::to_string(command.sequence) +
           " twice";
  }
  if (node == 1) Keep(reconfigs_, command);
  return "";
}

std::optional<core::Command> SessionReplay::Pick(core::Rng& rng) const {
  if (!reconfigs_.empty() && (answered_.empty() || rng.Chance(250000))) {
    return reconfigs_[rng.Between(0, reconfigs_.size() - 1)];
  }
  if (answered_.empty()) return std::nullopt;
  return answered_[rng.Between(0, answered_.size() - 1)];
}

SessionReplay::Executed& SessionReplay::ForIncarnation(
    std::map<uint64_t, std::pair<uint32_t, Executed>>& by_node, uint64_t node,
    uint32_t incarnation) {
  auto& [seen_incarnation, executed] = by_node[node];
  if (seen_incarnation != incarnation) {
    seen_incarnation = incarnation;
    executed.clear();
  }
  return executed;
}

void SessionReplay::Keep(std::deque<core::Command>& commands, const core::Command& command) {
  commands.push_back(command);
  if (commands.size() > kReplayCommandsMax) commands.pop_front();
}

}  // namespace pifleet::sim
