// The bounds a command, a configuration and a slot value must meet (agent/core/constants.h).
// Used twice, on purpose: at the edge (agent/wire/bounds.h drops any peer or client message
// that carries something out of bounds before it reaches the core) and inside the core, which
// must stay safe against a value that is already in a log: the leader never proposes such a
// command, and a decided one is refused the same way on every replica, never asserted on.
#pragma once

#include "agent/base/status.h"
#include "agent/core/types.h"

namespace pifleet::core {

// 1..kVotersMax voters, at most kNodesMax nodes, no id 0, no id twice, none both voter and
// learner.
Status CheckConfig(const Config& config);
// A known kind; payload within kCommandBytesMax; a reconfiguration carries a valid Config (its
// payload is ignored); an application command carries no Config.
Status CheckCommand(const Command& command);
// At most kBatchCommandsMax commands of at most kBatchBytesMax payload bytes, each valid.
Status CheckValue(const Value& value);

}  // namespace pifleet::core
