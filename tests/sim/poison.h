// Malformed proposals (issue 18, input checked at the edge): in some seeds a client proposes
// commands out of bounds (reconfigurations with no voters, too many, duplicate ids, a node both
// voter and learner, id 0; application commands carrying a configuration or an oversize
// payload), both through a node's Propose and as a peer Request straight into a core (what a
// compromised or buggy peer could send past the agent's edge check), and valid-size commands of
// random bytes through the log. The core must refuse every malformed one and never decide it;
// random payloads must apply alike on every replica (the digest checker); nothing may assert.
#pragma once

#include <cstdint>

#include "agent/core/rng.h"
#include "agent/core/types.h"

namespace pifleet::sim {

inline constexpr uint64_t kPoisonClientId = 1'000'002;

class PoisonSource {
 public:
  // Poisoned seeds are one in four, chosen from the seed alone, so that other seeds run exactly
  // as before; the source has its own PRNG for the same reason.
  explicit PoisonSource(uint64_t seed) : enabled_(seed % 4 == 3), rng_(seed ^ 0x5015011ULL) {}

  bool enabled() const { return enabled_; }
  core::Rng& rng() { return rng_; }
  // A command the core must refuse; `self` and `other` are real node ids to build ids from.
  core::Command Malformed(core::NodeId self, core::NodeId other);
  // A command within every bound whose payload is random bytes (the state machine decides).
  core::Command RandomPayload();

 private:
  core::Command Next(core::CommandKind kind);
  bool enabled_;
  core::Rng rng_;
  uint64_t sequence_ = 0;
};

}  // namespace pifleet::sim
