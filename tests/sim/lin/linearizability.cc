#include "tests/sim/lin/linearizability.h"

#include <map>
#include <string_view>
#include <utility>

#include "agent/base/assert.h"
#include "tests/sim/lin/explanation.h"
#include "tests/sim/lin/key_ops.h"
#include "tests/sim/lin/wgl_search.h"

namespace pifleet::lin {
namespace {

void CheckPreconditions(const Operation& op) {
  PIFLEET_ASSERT_MSG(op.call_time >= 0, "call_time must not be negative");
  PIFLEET_ASSERT_MSG(op.return_time == kPending || op.return_time >= op.call_time,
                     "an operation cannot return before its call");
}

}  // namespace

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kPut:
      return "put";
    case OpKind::kGet:
      return "get";
    case OpKind::kCas:
      return "cas";
    case OpKind::kDelete:
      return "delete";
  }
  PIFLEET_ASSERT_MSG(false, "unknown OpKind");
}

CheckResult CheckHistory(const std::vector<Operation>& history, uint64_t step_budget) {
  std::map<std::string_view, std::vector<size_t>> by_key;  // ordered: deterministic output
  for (size_t i = 0; i < history.size(); ++i) {
    CheckPreconditions(history[i]);
    by_key[history[i].key].push_back(i);
  }
  CheckResult undecided;
  for (const auto& [key, indices] : by_key) {
    const std::vector<internal::KeyOp> ops = internal::PrepareKeyOps(history, indices);
    const internal::SearchOutcome outcome = internal::SearchKey(ops, step_budget);
    if (outcome.verdict == internal::Verdict::kLinearizable) continue;
    CheckResult result;
    result.key = std::string(key);
    result.explanation = internal::Explain(history, ops, outcome, step_budget);
    if (outcome.verdict == internal::Verdict::kNotLinearizable) {
      result.linearizable = false;
      return result;
    }
    result.linearizable = false;  // not proven
    result.undecided = true;
    if (!undecided.undecided) undecided = std::move(result);
  }
  return undecided;
}

}  // namespace pifleet::lin
