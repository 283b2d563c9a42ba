// Leases in the simulation (tests/sim/lease_holder.h): each node incarnation runs the agent's own
// LeaseClock and InternalSession; the holder proposes at a random node, as a client's datagram
// would reach one.
#include "tests/sim/simulation.h"

namespace pifleet::sim {

void Simulation::StartLeases(SimNode& node) {
  if (options_.steady_commands > 0) return;
  node.lease_clock = std::make_unique<daemon::LeaseClock>();
  node.own = std::make_unique<daemon::InternalSession>(NodeNonce(node.id, node.incarnation));
  node.ticks = 0;
}

void Simulation::LeaseTick(SimNode& node) {
  if (!node.lease_clock) return;
  ++node.ticks;
  const auto now_ms = static_cast<uint64_t>(now_us_) / 1000;
  if (auto expire = node.lease_clock->ExpiryDue(node.sm().leases(), node.core().IsLeader(),
                                                node.ticks, now_ms)) {
    node.own->Enqueue(std::move(*expire));
  }
  if (auto command = node.own->Due(node.ticks, now_ms)) (void)node.driver->Propose(*command);
}

void Simulation::HolderTick() {
  if (options_.steady_commands > 0 || healed_) return;
  if (auto command = lease_holder_.Due(now_us_, rng_)) {
    SimNode& target = nodes_[RandomNode()];
    if (target.up) (void)target.driver->Propose(*command);
  }
}

void Simulation::OnLeaseApplied(SimNode& node, const core::Command& command,
                                const sm::KvResult& result) {
  if (!node.own) return;  // steady mode
  node.own->OnApplied(command, result);
  if (std::string v = lease_holder_.OnApplied(command, result, node.sm().leases(), now_us_);
      !v.empty()) {
    checker_.Fail("lease: " + v);
  }
}

}  // namespace pifleet::sim
