#include "agent/core/requester.h"

#include "agent/core/command_check.h"
#include "agent/core/constants.h"

namespace pifleet::core {

Status Requester::Add(const Command& command) {
  if (Status status = CheckCommand(command); !status.ok()) return status;
  if (outstanding_.size() >= kOutstandingProposalsMax) {
    return Status::NoSpace("too many proposals in flight; retry later");
  }
  outstanding_[{command.client_id, command.sequence}] = command;
  return Status::Ok();
}

void Requester::OnDecided(const Value& value) {
  for (const Command& command : value.commands) {
    outstanding_.erase({command.client_id, command.sequence});
  }
}

bool Requester::TickDue() {
  if (++ticks_ < kRequestRetransmitTicks) return false;
  ticks_ = 0;
  return !outstanding_.empty();
}

std::vector<Command> Requester::Outstanding() const {
  std::vector<Command> out;
  out.reserve(outstanding_.size());
  for (const auto& [key, command] : outstanding_) out.push_back(command);
  return out;
}

}  // namespace pifleet::core
