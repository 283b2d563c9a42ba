// The search for one key: Wing & Gong's backtracking over call/return entries with Lowe's
// memoisation of (linearized set, register value), written as a loop over an explicit stack
// so that histories with many thousands of operations cannot overflow the call stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tests/sim/lin/linearizability.h"

namespace pifleet::lin::internal {

// Register values are interned per key; id 0 is the absent key (""). Values that no get
// returned and no cas expected all share id 1: the register model compares values only with
// get outputs and cas expectations, so such values are indistinguishable (key_ops.h).
using ValueId = int32_t;
constexpr ValueId kAbsent = 0;
constexpr ValueId kUnread = 1;

// Bound on the memoisation cache of one key (estimated bytes). Past it the key is undecided rather
// than the process running out of memory.
constexpr size_t kCacheBytesMax = size_t{512} << 20;

// One operation of one key, ready for the search. Refused puts, deletes and gets, and pending
// gets, constrain nothing and are left out before the search.
struct KeyOp {
  OpKind kind = OpKind::kGet;
  ValueId value = kAbsent;     // put value / cas new value
  ValueId expected = kAbsent;  // cas expected value
  ValueId output = kAbsent;    // get result
  bool ok = true;              // cas success
  bool pending = false;
  int64_t call_time = 0;
  int64_t return_time = 0;  // unused when pending
  size_t source_index = 0;  // index in the caller's history
  // Pending only: the previous pending op (by call time) with exactly the same effect, or -1.
  // Such ops are interchangeable, so the search takes them in call order (key_ops.h).
  int32_t same_effect_before = -1;
};

// Applies `op` to the register holding `state`. Returns false if the op's recorded result is
// impossible from `state`; otherwise stores the register's next value in `next`.
bool StepRegister(const KeyOp& op, ValueId state, ValueId* next);

enum class Verdict { kLinearizable, kNotLinearizable, kUndecided };

struct SearchOutcome {
  Verdict verdict = Verdict::kLinearizable;
  uint64_t steps = 0;
  bool cache_full = false;  // undecided because of kCacheBytesMax, not the step budget
  // Where the search got furthest before it had to backtrack: the ops (indices into the
  // search's input) in the order taken, the register's value after them, and the op whose
  // return was reached although it could not be linearized. Empty/-1 if it never backtracked.
  std::vector<int32_t> deepest_order;
  ValueId deepest_state = kAbsent;
  int32_t blocking_op = -1;
};

SearchOutcome SearchKey(const std::vector<KeyOp>& ops, uint64_t step_budget);

}  // namespace pifleet::lin::internal
