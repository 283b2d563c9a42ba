#include "agent/core/types.h"

#include <algorithm>

namespace pifleet::core {

bool Config::IsVoter(NodeId id) const {
  return std::find(voters.begin(), voters.end(), id) != voters.end();
}

bool Config::Contains(NodeId id) const {
  return IsVoter(id) || std::find(learners.begin(), learners.end(), id) != learners.end();
}

uint64_t ValueBytes(const Value& value) {
  uint64_t bytes = 0;
  for (const Command& command : value.commands) bytes += command.payload.size() + 16;
  return bytes;
}

}  // namespace pifleet::core
