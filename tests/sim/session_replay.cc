#include "tests/sim/session_replay.h"

#include "agent/sm/session_commands.h"

namespace pifleet::sim {

std::string SessionReplay::OnApplied(uint64_t node, uint32_t incarnation,
                                     const core::Command& command, const sm::KvResult& result) {
  if (sm::IsSessionCommand(command.payload)) return "";
  if (result.outcome == sm::KvResult::Outcome::kRefused) ++refused_;
  if (result.outcome != sm::KvResult::Outcome::kApplied) return "";
  auto& [seen_incarnation, executed] = executed_[node];
  if (seen_incarnation != incarnation) {  // a restart re-applies from its snapshot: start over
    seen_incarnation = incarnation;
    executed.clear();
  }
  if (!executed.insert({command.client_id, command.sequence}).second) {
    return "n" + std::to_string(node) + " executed session " + std::to_string(command.client_id) +
           " sequence " + std::to_string(command.sequence) + " twice";
  }
  if (node == 1) {  // one copy of each command suffices
    answered_.push_back(command);
    if (answered_.size() > kReplayCommandsMax) answered_.pop_front();
  }
  return "";
}

std::optional<core::Command> SessionReplay::Pick(core::Rng& rng) const {
  if (answered_.empty()) return std::nullopt;
  return answered_[rng.Between(0, answered_.size() - 1)];
}

}  // namespace pifleet::sim
