// Registers `count` client sessions through the state machine, so that the tests' client numbers
// 1..count name registered sessions (ids are handed out in order from 1).
#pragma once

#include "agent/sm/session_commands.h"
#include "agent/sm/state_machine.h"

namespace pifleet::sm {

inline void RegisterSessions(StateMachine& sm, uint64_t count, uint64_t now_ms = 1000) {
  for (uint64_t i = 0; i < count; ++i) {
    sm.Apply(0, 0, 0, EncodeSessionCommand({SessionCommandKind::kRegister, now_ms, 0}));
  }
}

}  // namespace pifleet::sm
