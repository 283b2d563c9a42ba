// The simulated network between nodes: delay, loss, duplication, reordering, and symmetric and
// asymmetric partitions. Clients reach every node (they are outside the partitions) but their
// datagrams are delayed, lost and duplicated like any other.
#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "agent/core/rng.h"
#include "tests/sim/sim_options.h"

namespace pifleet::sim {

class Network {
 public:
  Network(core::Rng& rng, const FaultParams& params) : rng_(rng), params_(params) {}

  // Delivery delays of one datagram: empty when lost, two entries when duplicated.
  std::vector<int64_t> Deliveries(uint64_t from, uint64_t to);
  // Cuts the network: a random split (symmetric) or one-way cuts (asymmetric).
  void Partition(const std::vector<uint64_t>& nodes);
  void Heal();
  bool Blocked(uint64_t from, uint64_t to) const { return blocked_.count({from, to}) != 0; }
  void SetQuiet(bool quiet) { quiet_ = quiet; }  // after heal: no loss, no duplicates
  size_t blocked_links() const { return blocked_.size(); }

 private:
  int64_t Delay();

  core::Rng& rng_;
  FaultParams params_;
  std::set<std::pair<uint64_t, uint64_t>> blocked_;
  bool quiet_ = false;
};

}  // namespace pifleet::sim
