#include "tests/sim/lin/entry_list.h"

#include <algorithm>
#include <tuple>

#include "agent/base/assert.h"

namespace pifleet::lin::internal {

EntryList::EntryList(const std::vector<KeyOp>& ops) {
  // (time, 0 = call / 1 = return, op): a total order, so the list is deterministic.
  std::vector<std::tuple<int64_t, int, int32_t>> events;
  for (size_t i = 0; i < ops.size(); ++i) {
    const auto op = static_cast<int32_t>(i);
    events.emplace_back(ops[i].call_time, 0, op);
    if (!ops[i].pending) events.emplace_back(ops[i].return_time, 1, op);
  }
  std::sort(events.begin(), events.end());
  std::vector<int32_t> call_of(ops.size(), -1);
  for (const auto& [time, is_return, op] : events) {
    const auto e = static_cast<int32_t>(entries_.size());
    entries_.push_back(Entry{op, is_return == 0, -1});
    int32_t& call = call_of[static_cast<size_t>(op)];
    if (is_return == 0) {
      call = e;
    } else {
      PIFLEET_ASSERT(call >= 0);  // a return sorts after its call
      entries_[Idx(call)].match = e;
    }
  }
  const auto n = static_cast<int32_t>(entries_.size());
  head_ = n;
  tail_ = n + 1;
  next_.resize(Idx(n) + 2);
  prev_.resize(Idx(n) + 2);
  for (int32_t e = 0; e < n; ++e) {
    next_[Idx(e)] = e + 1 == n ? tail_ : e + 1;
    prev_[Idx(e)] = e == 0 ? head_ : e - 1;
  }
  next_[Idx(head_)] = n == 0 ? tail_ : 0;
  prev_[Idx(tail_)] = n == 0 ? head_ : n - 1;
}

void EntryList::Lift(int32_t call) {
  PIFLEET_ASSERT(at(call).is_call);
  Unlink(call);
  if (at(call).match >= 0) Unlink(at(call).match);
}

void EntryList::Unlift(int32_t call) {
  if (at(call).match >= 0) Relink(at(call).match);
  Relink(call);
}

void EntryList::Unlink(int32_t e) {
  next_[Idx(prev_[Idx(e)])] = next_[Idx(e)];
  prev_[Idx(next_[Idx(e)])] = prev_[Idx(e)];
}

// Works because the neighbours recorded in e are exactly as they were when e was unlinked.
void EntryList::Relink(int32_t e) {
  next_[Idx(prev_[Idx(e)])] = e;
  prev_[Idx(next_[Idx(e)])] = e;
}

}  // namespace pifleet::lin::internal
