#include "tests/sim/lin/wgl_search.h"

#include "agent/base/assert.h"
#include "tests/sim/lin/entry_list.h"
#include "tests/sim/lin/search_cache.h"

namespace pifleet::lin::internal {

bool StepRegister(const KeyOp& op, ValueId state, ValueId* next) {
  switch (op.kind) {
    case OpKind::kPut:
      PIFLEET_ASSERT(op.ok || op.pending);
      *next = op.value;
      return true;
    case OpKind::kDelete:
      PIFLEET_ASSERT(op.ok || op.pending);
      *next = kAbsent;
      return true;
    case OpKind::kGet:
      PIFLEET_ASSERT(op.ok && !op.pending);
      *next = state;
      return state == op.output;
    case OpKind::kCas:
      if (op.pending) {  // unknown result: either branch is possible
        *next = (state == op.expected) ? op.value : state;
        return true;
      }
      *next = op.ok ? op.value : state;
      return op.ok == (state == op.expected);
  }
  PIFLEET_ASSERT_MSG(false, "unknown OpKind");
}

namespace {

// Which candidates a walk over the list tries: completed ops first, pending ops only once no
// completed op fits. Trying pending ops last makes the cache see small pending sets first, so
// it can discard the larger ones (search_cache.h).
enum class Pass { kCompleted, kPending };

struct Frame {
  int32_t call_entry;
  ValueId state_before;
  Pass pass;
};

// The search state between steps; SearchKey drives it one step at a time.
class Search {
 public:
  explicit Search(const std::vector<KeyOp>& ops);

  bool done() const { return completed_left_ == 0; }
  bool cache_full() const { return cache_.full(); }
  // One step. Returns false when the search is exhausted: not linearizable.
  bool Step(SearchOutcome* outcome);

 private:
  bool TryCall(const Entry& e);
  bool Backtrack(SearchOutcome* outcome);
  void Flip(int32_t op);

  const std::vector<KeyOp>& ops_;
  EntryList list_;
  std::vector<size_t> slot_;  // op -> its index among completed or among pending ops
  SlotSet completed_;
  SlotSet pending_;
  SearchCache cache_;
  std::vector<Frame> stack_;
  ValueId state_ = kAbsent;
  int32_t entry_ = -1;
  Pass pass_ = Pass::kCompleted;
  size_t completed_left_ = 0;
};

size_t CountPending(const std::vector<KeyOp>& ops) {
  size_t n = 0;
  for (const KeyOp& op : ops) n += op.pending ? 1 : 0;
  return n;
}

Search::Search(const std::vector<KeyOp>& ops)
    : ops_(ops),
      list_(ops),
      completed_(ops.size() - CountPending(ops)),
      pending_(CountPending(ops)),
      completed_left_(ops.size() - CountPending(ops)) {
  size_t completed = 0;
  size_t pending = 0;
  for (const KeyOp& op : ops) slot_.push_back(op.pending ? pending++ : completed++);
  entry_ = list_.next(list_.head());
}

void Search::Flip(int32_t op) {
  const auto i = static_cast<size_t>(op);
  if (ops_[i].pending) {
    pending_.Flip(slot_[i]);
  } else {
    completed_.Flip(slot_[i]);
  }
}

bool Search::Step(SearchOutcome* outcome) {
  PIFLEET_ASSERT_MSG(entry_ != list_.tail(), "an unlinearized return must stop the walk");
  const Entry& e = list_.at(entry_);
  if (!e.is_call) {
    if (pass_ == Pass::kPending) return Backtrack(outcome);
    pass_ = Pass::kPending;  // no completed op fits here: walk again for pending ops
    entry_ = list_.next(list_.head());
    return true;
  }
  const bool wanted = ops_[static_cast<size_t>(e.op)].pending == (pass_ == Pass::kPending);
  if (!wanted || !TryCall(e)) entry_ = list_.next(entry_);
  return true;
}

bool Search::TryCall(const Entry& e) {
  const KeyOp& op = ops_[static_cast<size_t>(e.op)];
  if (op.pending && op.same_effect_before >= 0 &&
      !pending_.Contains(slot_[static_cast<size_t>(op.same_effect_before)])) {
    return false;  // an earlier pending op with the same effect is still unused: take it first
  }
  ValueId next = kAbsent;
  if (!StepRegister(op, state_, &next)) return false;
  Flip(e.op);
  if (!cache_.Insert(completed_, pending_, next)) {
    Flip(e.op);
    return false;
  }
  stack_.push_back(Frame{entry_, state_, pass_});
  state_ = next;
  completed_left_ -= op.pending ? 0 : 1;
  list_.Lift(entry_);
  entry_ = list_.next(list_.head());
  pass_ = Pass::kCompleted;
  return true;
}

// Reached the return of an op that is not linearized: undo the most recent linearization.
bool Search::Backtrack(SearchOutcome* outcome) {
  if (outcome->blocking_op < 0 || stack_.size() > outcome->deepest_order.size()) {
    outcome->deepest_order.clear();
    for (const Frame& f : stack_) outcome->deepest_order.push_back(list_.at(f.call_entry).op);
    outcome->deepest_state = state_;
    outcome->blocking_op = list_.at(entry_).op;
  }
  if (stack_.empty()) return false;
  const Frame top = stack_.back();
  stack_.pop_back();
  const int32_t op = list_.at(top.call_entry).op;
  list_.Unlift(top.call_entry);
  Flip(op);
  completed_left_ += ops_[static_cast<size_t>(op)].pending ? 0 : 1;
  state_ = top.state_before;
  entry_ = list_.next(top.call_entry);
  pass_ = top.pass;
  return true;
}

}  // namespace

SearchOutcome SearchKey(const std::vector<KeyOp>& ops, uint64_t step_budget) {
  SearchOutcome outcome;
  Search search(ops);
  while (!search.done()) {
    if (outcome.steps >= step_budget || search.cache_full()) {
      outcome.verdict = Verdict::kUndecided;
      outcome.cache_full = search.cache_full();
      return outcome;
    }
    ++outcome.steps;
    if (!search.Step(&outcome)) {
      outcome.verdict = Verdict::kNotLinearizable;
      return outcome;
    }
  }
  outcome.verdict = Verdict::kLinearizable;
  return outcome;
}

}  // namespace pifleet::lin::internal
