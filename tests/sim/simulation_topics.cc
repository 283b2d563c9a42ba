// Topics in the simulation (tests/sim/topic_actors.h): the publisher and the group's members
// propose at a random node, as a client's datagram would reach one; every node's applied commands
// feed the checkers.
#include "tests/sim/simulation.h"

namespace pifleet::sim {

void Simulation::TopicTick() {
  if (!TopicsOn()) return;
  for (core::Command& command : topics_.Due(now_us_, healed_, rng_)) {
    SimNode& target = nodes_[RandomNode()];
    if (target.up) (void)target.driver->Propose(command);
  }
}

void Simulation::OnTopicApplied(const core::Command& command, const sm::KvResult& result) {
  if (!TopicsOn()) return;
  if (std::string v = topics_.OnApplied(command, result, now_us_, rng_); !v.empty()) {
    checker_.Fail(v);
  }
}

bool Simulation::TopicsDone() const {
  for (const SimNode& node : nodes_) {
    if (node.up && node.driver) return topics_.Done(node.sm().kv());
  }
  return false;
}

}  // namespace pifleet::sim
