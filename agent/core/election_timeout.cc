#include "agent/core/election_timeout.h"

#include <algorithm>

#include "agent/core/constants.h"

namespace pifleet::core {

void ElectionTimeout::NoteGap(uint32_t gap_ticks) {
  if (samples_ < kGapSamplesMin) ++samples_;
  if (gap_ticks >= gap_max_ticks_) {
    gap_max_ticks_ = gap_ticks;
    below_max_ = 0;
  } else if (++below_max_ >= kGapDecaySamples) {
    --gap_max_ticks_;  // a late beat long ago weighs less and less
    below_max_ = 0;
  }
}

uint32_t ElectionTimeout::Draw(Rng& rng) const {
  const uint32_t min = options_.election_ticks_min;
  const uint32_t max = options_.election_ticks_max;
  if (samples_ < kGapSamplesMin) return static_cast<uint32_t>(rng.Between(min, max));
  const uint32_t lo =
      std::clamp(kSuspectGaps * gap_max_ticks_, std::min(kElectionTicksFloor, min), min);
  return static_cast<uint32_t>(rng.Between(lo, uint64_t{lo} * max / min));
}

}  // namespace pifleet::core
