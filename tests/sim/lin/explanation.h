// Turns a failed or unfinished search of one key into text a person can act on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/sim/lin/linearizability.h"
#include "tests/sim/lin/wgl_search.h"

namespace pifleet::lin::internal {

// `ops` is the search's input for one key, built from `history`.
std::string Explain(const std::vector<Operation>& history, const std::vector<KeyOp>& ops,
                    const SearchOutcome& outcome, uint64_t step_budget);

// A value as the explanation shows it: quoted with C escapes, or (absent) for "".
std::string QuoteValue(const std::string& value);
// Any string quoted with C escapes ("" stays "").
std::string QuoteString(const std::string& value);

}  // namespace pifleet::lin::internal
