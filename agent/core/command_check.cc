#include "agent/core/command_check.h"

#include <algorithm>
#include <string>

#include "agent/core/constants.h"

namespace pifleet::core {

Status CheckConfig(const Config& config) {
  if (config.voters.empty() || config.voters.size() > kVotersMax) {
    return Status::InvalidArgument("a configuration needs 1 to " + std::to_string(kVotersMax) +
                                   " voters, not " + std::to_string(config.voters.size()));
  }
  if (config.voters.size() + config.learners.size() > kNodesMax) {
    return Status::InvalidArgument("a configuration has at most " + std::to_string(kNodesMax) +
                                   " nodes");
  }
  std::vector<NodeId> ids = config.voters;
  ids.insert(ids.end(), config.learners.begin(), config.learners.end());
  std::sort(ids.begin(), ids.end());
  if (ids.front() == 0) return Status::InvalidArgument("node id 0 in a configuration");
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
    return Status::InvalidArgument("a node is named twice in a configuration");
  }
  return Status::Ok();
}

Status CheckCommand(const Command& command) {
  if (command.payload.size() > kCommandBytesMax) {
    return Status::InvalidArgument("command of " + std::to_string(command.payload.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(kCommandBytesMax));
  }
  switch (command.kind) {
    case CommandKind::kApp:
      if (!command.config.voters.empty() || !command.config.learners.empty()) {
        return Status::InvalidArgument("an application command carries a configuration");
      }
      if (command.replaces != 0) {
        return Status::InvalidArgument("an application command names a configuration it replaces");
      }
      return Status::Ok();
    case CommandKind::kReconfig:
      // Slot 1 is the first any configuration governs; 0 would name none.
      if (command.replaces == 0) {
        return Status::InvalidArgument("a reconfiguration names no configuration it replaces");
      }
      return CheckConfig(command.config);
  }
  return Status::InvalidArgument("unknown command kind");
}

Status CheckValue(const Value& value) {
  if (value.commands.size() > kBatchCommandsMax) {
    return Status::InvalidArgument("a slot value holds at most " +
                                   std::to_string(kBatchCommandsMax) + " commands");
  }
  uint64_t bytes = 0;
  for (const Command& command : value.commands) {
    if (Status status = CheckCommand(command); !status.ok()) return status;
    bytes += command.payload.size();
  }
  if (bytes > kBatchBytesMax) {
    return Status::InvalidArgument("a slot value holds at most " + std::to_string(kBatchBytesMax) +
                                   " payload bytes");
  }
  return Status::Ok();
}

}  // namespace pifleet::core
