// The call and return events of one key's operations, in time order, as a doubly linked list
// whose entries can be lifted out and put back (Wing & Gong's search walks it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tests/sim/lin/wgl_search.h"

namespace pifleet::lin::internal {

struct Entry {
  int32_t op = -1;
  bool is_call = true;
  int32_t match = -1;  // a call's return entry; -1 for a pending op (it has none)
};

// Ordered by time; at equal times calls come first, so intervals that touch are concurrent
// (closed intervals, as in Porcupine). Two sentinels: head() before the first entry, tail()
// after the last. Lift and Unlift must be strictly last-in first-out.
class EntryList {
 public:
  explicit EntryList(const std::vector<KeyOp>& ops);

  int32_t head() const { return head_; }
  int32_t tail() const { return tail_; }
  int32_t next(int32_t e) const { return next_[Idx(e)]; }
  const Entry& at(int32_t e) const { return entries_[Idx(e)]; }

  // Unlinks a call entry and its return entry, if any.
  void Lift(int32_t call);
  // Relinks what the matching Lift unlinked.
  void Unlift(int32_t call);

 private:
  static size_t Idx(int32_t e) { return static_cast<size_t>(e); }
  void Unlink(int32_t e);
  void Relink(int32_t e);

  std::vector<Entry> entries_;
  std::vector<int32_t> next_;
  std::vector<int32_t> prev_;
  int32_t head_ = -1;
  int32_t tail_ = -1;
};

}  // namespace pifleet::lin::internal
