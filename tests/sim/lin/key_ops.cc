#include "tests/sim/lin/key_ops.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>

namespace pifleet::lin::internal {
namespace {

bool ConstrainsNothing(const Operation& op) {
  if (op.kind == OpKind::kGet && op.return_time == kPending) return true;
  return op.kind != OpKind::kCas && op.return_time != kPending && !op.ok;
}

// Values some operation compares the register with.
class ValueTable {
 public:
  void Observe(const std::string& value) {
    const auto next = static_cast<ValueId>(ids_.size() + 2);  // after kAbsent and kUnread
    if (!value.empty()) ids_.emplace(value, next);
  }
  ValueId Id(const std::string& value) const {
    if (value.empty()) return kAbsent;
    const auto it = ids_.find(value);
    return it == ids_.end() ? kUnread : it->second;
  }

 private:
  std::unordered_map<std::string, ValueId> ids_;
};

KeyOp MakeKeyOp(const Operation& op, size_t index, const ValueTable& values) {
  KeyOp k;
  k.kind = op.kind;
  if (op.kind == OpKind::kPut || op.kind == OpKind::kCas) k.value = values.Id(op.value);
  if (op.kind == OpKind::kCas) k.expected = values.Id(op.expected);
  if (op.kind == OpKind::kGet) k.output = values.Id(op.output);
  k.ok = op.ok;
  k.pending = op.return_time == kPending;
  k.call_time = op.call_time;
  k.return_time = op.return_time;
  k.source_index = index;
  return k;
}

void ChainSameEffect(std::vector<KeyOp>* ops) {
  std::map<std::tuple<OpKind, ValueId, ValueId>, int32_t> last;
  for (size_t i = 0; i < ops->size(); ++i) {
    KeyOp& k = (*ops)[i];
    if (!k.pending) continue;
    auto [it, inserted] = last.try_emplace({k.kind, k.value, k.expected}, -1);
    k.same_effect_before = it->second;
    it->second = static_cast<int32_t>(i);
  }
}

}  // namespace

std::vector<KeyOp> PrepareKeyOps(const std::vector<Operation>& history,
                                 const std::vector<size_t>& indices) {
  ValueTable values;
  for (size_t index : indices) {
    const Operation& op = history[index];
    if (ConstrainsNothing(op)) continue;
    if (op.kind == OpKind::kGet) values.Observe(op.output);
    if (op.kind == OpKind::kCas) values.Observe(op.expected);
  }
  std::vector<KeyOp> ops;
  for (size_t index : indices) {
    if (!ConstrainsNothing(history[index])) ops.push_back(MakeKeyOp(history[index], index, values));
  }
  std::stable_sort(ops.begin(), ops.end(),
                   [](const KeyOp& a, const KeyOp& b) { return a.call_time < b.call_time; });
  ChainSameEffect(&ops);
  return ops;
}

}  // namespace pifleet::lin::internal
