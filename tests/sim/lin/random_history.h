// Test-only: random histories of a sequential register per key, with overlapping intervals.
// Every generated history is linearizable by construction: each operation takes effect at a
// point inside its interval, and outputs are computed by applying operations in that order.
#pragma once

#include <cstdint>
#include <vector>

#include "tests/sim/lin/linearizability.h"

namespace pifleet::lin::testing {

struct RandomHistoryOptions {
  int keys = 1;
  int operations = 100;     // in total, over all keys
  int clients = 4;          // concurrent clients: the most operations in flight at once
  int pending_percent = 0;  // a pending op ends its client; a fresh client id takes its place
  int refused_percent = 0;  // completed put/get/delete that was refused and had no effect
  uint64_t seed = 1;
};

std::vector<Operation> GenerateRandomHistory(const RandomHistoryOptions& options);

}  // namespace pifleet::lin::testing
