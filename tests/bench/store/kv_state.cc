#include "tests/bench/store/kv_state.h"

#include "agent/sm/kv_op.h"
#include "agent/sm/session_commands.h"

namespace pifleet::bench {

void FillKvState(const KvStateShape& shape, sm::StateMachine* state) {
  const std::string reg =
      sm::EncodeSessionCommand({sm::SessionCommandKind::kRegister, shape.sessions, 0});
  for (uint64_t s = 0; s < shape.sessions; ++s) state->Apply(0, 0, 0, reg);
  for (uint64_t i = 0; i < shape.puts; ++i) {
    sm::KvOp op;
    op.kind = sm::KvKind::kPut;
    op.key = shape.key(i);
    op.value = std::string(shape.value_bytes, static_cast<char>('a' + i % 26));
    state->Apply(i + 1, 1 + i % shape.sessions, 1 + i / shape.sessions, sm::EncodeKvOp(op));
  }
}

}  // namespace pifleet::bench
