#include "agent/sm/state_machine.h"

namespace pifleet::sm {

KvResult StateMachine::Apply(uint64_t slot, uint64_t client_id, uint64_t sequence,
                             const std::string& payload) {
  if (IsMembersCommand(payload)) return KvResult{members_.Apply(slot, payload), ""};
  return kv_.Apply(client_id, sequence, payload);
}

uint64_t StateMachine::Digest() const { return kv_.Digest() * 31 + members_.Digest(); }

}  // namespace pifleet::sm
