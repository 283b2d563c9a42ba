// A state machine filled by puts from registered sessions, for the snapshot benchmarks: the
// state a fleet's log leaves, built through StateMachine::Apply as the log would build it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/sm/state_machine.h"

namespace pifleet::bench {

struct KvStateShape {
  uint64_t sessions = 0;  // registered first, ids 1..sessions; put i comes from 1 + i % sessions
  uint64_t puts = 0;
  size_t value_bytes = 0;
  std::function<std::string(uint64_t put)> key;  // the key of put i
};

// Puts i = 0..puts-1 at slots 1..puts; put i's value is value_bytes of 'a' + i % 26.
void FillKvState(const KvStateShape& shape, sm::StateMachine* state);

}  // namespace pifleet::bench
