#include "tests/sim/network.h"

namespace pifleet::sim {

int64_t Network::Delay() {
  int64_t delay = static_cast<int64_t>(rng_.Between(static_cast<uint64_t>(params_.delay_min_us),
                                                    static_cast<uint64_t>(params_.delay_max_us)));
  // Reordering: now and then a datagram takes a much slower path.
  if (!quiet_ && rng_.Chance(params_.reorder_per_million)) {
    delay += static_cast<int64_t>(rng_.Between(5000, 60000));
  }
  return delay;
}

std::vector<int64_t> Network::Deliveries(uint64_t from, uint64_t to) {
  if (from == to) return {0};  // a node's messages to itself always arrive
  if (Blocked(from, to)) return {};
  if (!quiet_ && rng_.Chance(params_.loss_per_million)) return {};
  std::vector<int64_t> out{Delay()};
  if (!quiet_ && rng_.Chance(params_.dup_per_million)) out.push_back(Delay());
  return out;
}

void Network::Partition(const std::vector<uint64_t>& nodes) {
  blocked_.clear();
  const bool symmetric = rng_.Chance(600000);
  if (symmetric) {
    // Split into two sides; a random side assignment, often isolating a minority.
    std::vector<bool> side(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) side[i] = rng_.Chance(400000);
    for (size_t i = 0; i < nodes.size(); ++i) {
      for (size_t j = 0; j < nodes.size(); ++j) {
        if (side[i] != side[j]) blocked_.insert({nodes[i], nodes[j]});
      }
    }
    return;
  }
  // Asymmetric: a few one-way links fail (a node that hears but is not heard, or the reverse).
  const uint64_t cuts = rng_.Between(1, nodes.size());
  for (uint64_t c = 0; c < cuts; ++c) {
    const uint64_t a = nodes[rng_.Between(0, nodes.size() - 1)];
    for (uint64_t b : nodes) {
      if (b != a && rng_.Chance(500000)) {
        blocked_.insert(rng_.Chance(500000) ? std::make_pair(a, b) : std::make_pair(b, a));
      }
    }
  }
}

void Network::Heal() { blocked_.clear(); }

}  // namespace pifleet::sim
