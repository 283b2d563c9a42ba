// The adaptive suspicion timeout: the configured range until gaps are measured, then three times
// the largest recent gap (never below the floor nor above the configured minimum), decaying.
#include "agent/core/election_timeout.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "agent/core/constants.h"

namespace pifleet::core {
namespace {

struct Range {
  uint32_t lo = UINT32_MAX;
  uint32_t hi = 0;
};

Range Draws(const ElectionTimeout& timeout, Rng& rng) {
  Range range;
  for (int i = 0; i < 2000; ++i) {
    const uint32_t t = timeout.Draw(rng);
    range.lo = std::min(range.lo, t);
    range.hi = std::max(range.hi, t);
  }
  return range;
}

TEST(ElectionTimeout, UsesTheConfiguredRangeUntilEnoughGapsAreMeasured) {
  CoreOptions options;
  ElectionTimeout timeout(options);
  Rng rng(7);
  for (uint32_t i = 0; i + 1 < kGapSamplesMin; ++i) timeout.NoteGap(kHeartbeatTicks);
  const Range range = Draws(timeout, rng);
  EXPECT_EQ(range.lo, kElectionTicksMin);
  EXPECT_EQ(range.hi, kElectionTicksMax);
}

TEST(ElectionTimeout, ShortensToThreeGapsOnAQuietNetwork) {
  CoreOptions options;
  ElectionTimeout timeout(options);
  Rng rng(7);
  for (uint32_t i = 0; i < kGapSamplesMin; ++i) timeout.NoteGap(kHeartbeatTicks);
  const Range range = Draws(timeout, rng);
  EXPECT_EQ(range.lo, kElectionTicksFloor);
  EXPECT_EQ(range.hi, kElectionTicksFloor * kElectionTicksMax / kElectionTicksMin);
}

TEST(ElectionTimeout, GrowsWithLateBeatsUpToTheConfiguredMinimum) {
  CoreOptions options;
  ElectionTimeout timeout(options);
  Rng rng(7);
  for (uint32_t i = 0; i < kGapSamplesMin; ++i) timeout.NoteGap(kHeartbeatTicks);
  timeout.NoteGap(8);  // one late beat: 3 x 8 = 24 ticks
  EXPECT_EQ(Draws(timeout, rng).lo, 24U);
  timeout.NoteGap(40);  // a long stall: capped at the configured range
  const Range range = Draws(timeout, rng);
  EXPECT_EQ(range.lo, kElectionTicksMin);
  EXPECT_EQ(range.hi, kElectionTicksMax);
}

TEST(ElectionTimeout, ALateBeatWeighsLessAsOnTimeBeatsFollow) {
  CoreOptions options;
  ElectionTimeout timeout(options);
  for (uint32_t i = 0; i < kGapSamplesMin; ++i) timeout.NoteGap(kHeartbeatTicks);
  timeout.NoteGap(9);
  for (uint32_t i = 0; i < kGapDecaySamples; ++i) timeout.NoteGap(kHeartbeatTicks);
  EXPECT_EQ(timeout.gap_max_ticks(), 8U);
  for (uint32_t i = 0; i < 10 * kGapDecaySamples; ++i) timeout.NoteGap(kHeartbeatTicks);
  EXPECT_EQ(timeout.gap_max_ticks(), kHeartbeatTicks);  // never below what is measured now
}

}  // namespace
}  // namespace pifleet::core
