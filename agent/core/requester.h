// Requester: the commands this node proposed and has not yet seen decided. It hands them to the
// leader (local or remote) and re-sends them until a decision carries them, so a command lost
// with a preempted leader is proposed again (the state machine's session table makes a second
// decision of the same command harmless).
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "agent/core/constants.h"
#include "agent/core/types.h"

namespace pifleet::core {

class Requester {
 public:
  Requester() = default;

  Status Add(const Command& command);
  void OnDecided(const Value& value);
  // True every kRequestRetransmitTicks: time to re-send everything outstanding.
  bool TickDue();
  // The TickDue() call that may return true (constants.h: kNoDeadline when nothing is out).
  uint32_t TicksUntilDue() const {
    return outstanding_.empty() ? kNoDeadline : TicksUntilCount(ticks_, kRequestRetransmitTicks);
  }
  std::vector<Command> Outstanding() const;
  size_t size() const { return outstanding_.size(); }

 private:
  std::map<std::pair<uint64_t, uint64_t>, Command> outstanding_;
  uint32_t ticks_ = 0;
};

}  // namespace pifleet::core
