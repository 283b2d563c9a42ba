// Linearizability checking of key-value client histories (Wing & Gong's search with Lowe's
// memoisation, partitioned by key as Porcupine does). The model, the history format and the
// CLI are described in docs/linearizability.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pifleet::lin {

enum class OpKind { kPut, kGet, kCas, kDelete };

// return_time of an operation whose client never got an answer.
constexpr int64_t kPending = -1;

// Default search budget per key, in search steps (one step = one attempt to linearize an
// operation or one backtrack). Histories from the simulator need a few steps per operation.
constexpr uint64_t kDefaultStepBudget = 50'000'000;

// Longest run of operations an explanation lists before eliding the rest.
constexpr int kExplanationOpsMax = 8;

// One client operation on one key of a register per key (absent key = "").
//   put:    sets value.                       ok=false: refused, never took effect.
//   delete: sets "".                          ok=false: refused, never took effect.
//   get:    returned output (ok=true).        ok=false: refused, says nothing.
//   cas:    ok=true iff the value was `expected`; then sets `value`.
// [call_time, return_time] is a closed interval: operations whose intervals touch are
// concurrent. A pending operation (return_time == kPending) may take effect at any time after
// its call, or never; its ok and output are ignored.
struct Operation {
  uint64_t client_id = 0;
  std::string key;
  OpKind kind = OpKind::kGet;
  std::string value;     // put value / cas new value
  std::string expected;  // cas expected old value ("" = key absent)
  int64_t call_time = 0;
  int64_t return_time = kPending;
  bool ok = true;      // cas success; false = refused for put, get, delete
  std::string output;  // get result
};

// linearizable is true only when proven: an undecided result has linearizable == false.
struct CheckResult {
  bool linearizable = true;
  bool undecided = false;   // the step budget ran out on `key` before an answer was found
  std::string key;          // the key that is not linearizable or undecided
  std::string explanation;  // for a person: what could not be ordered, and why
};

// Checks every key independently, in key order. A key that is not linearizable wins over one
// whose budget ran out (the answer "not linearizable" is then certain); otherwise the first
// undecided key is reported. `step_budget` applies to each key separately, so the total work
// is bounded by (number of keys) x step_budget. Output is deterministic.
// Preconditions (asserted): call_time >= 0, and return_time == kPending or
// return_time >= call_time.
CheckResult CheckHistory(const std::vector<Operation>& history, uint64_t step_budget);

// "put", "get", "cas", "delete".
const char* OpKindName(OpKind kind);

// One line for a person, e.g. `client 3 get -> "a" [20, 30]`.
std::string DescribeOperation(const Operation& op);

}  // namespace pifleet::lin
