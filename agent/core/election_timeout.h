// A follower's suspicion timeout (DESIGN §2, "adaptive timeouts"): drawn at random in
// [lo, lo * max / min] ticks, where lo follows the gaps this follower measured between messages
// of the leader it follows: three times the largest recent gap, never below
// kElectionTicksFloor (three heartbeats) nor above the configured minimum. On a quiet network
// a follower suspects a dead leader after 150 to 300 ms; where the leader's beats arrive late
// (a loaded machine, a slow link) the timeout grows with them, up to the configured 300 to
// 600 ms, so late beats do not start elections. Until it has measured kGapSamplesMin gaps a
// follower uses the configured range. Timeouts only decide when to campaign: safety never
// depends on them.
#pragma once

#include <cstdint>

#include "agent/core/options.h"
#include "agent/core/rng.h"

namespace pifleet::core {

class ElectionTimeout {
 public:
  explicit ElectionTimeout(const CoreOptions& options) : options_(options) {}

  // A message from the leader this node follows, after `gap_ticks` ticks of silence.
  void NoteGap(uint32_t gap_ticks);
  // The next timeout, in ticks.
  uint32_t Draw(Rng& rng) const;

  uint32_t gap_max_ticks() const { return gap_max_ticks_; }

 private:
  const CoreOptions& options_;
  uint32_t gap_max_ticks_ = 0;  // the largest recent gap, decaying by a tick per kGapDecaySamples
  uint32_t samples_ = 0;
  uint32_t below_max_ = 0;  // gaps since the last one at or above the max
};

}  // namespace pifleet::core
