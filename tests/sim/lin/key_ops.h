// Prepares one key's operations for the search.
//
// - Operations that neither change nor observe the register are dropped: refused puts, gets
//   and deletes, and pending gets.
// - Values are interned. A value that no completed get returned and no cas expected can never
//   be told apart from another such value, so they all become kUnread; this makes pending
//   writes of unread values interchangeable.
// - Pending operations with the same effect (kind, value, expected) are chained in call order.
//   If a linearization uses a later one while an earlier one is still unused, swapping the two
//   gives another valid linearization, so the search only ever uses them in call order.
// - Operations are sorted by call time (stable), which keeps the search's cache compact.
#pragma once

#include <cstddef>
#include <vector>

#include "tests/sim/lin/linearizability.h"
#include "tests/sim/lin/wgl_search.h"

namespace pifleet::lin::internal {

// `indices` are the positions in `history` of one key's operations.
std::vector<KeyOp> PrepareKeyOps(const std::vector<Operation>& history,
                                 const std::vector<size_t>& indices);

}  // namespace pifleet::lin::internal
