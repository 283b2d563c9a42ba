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

class ElectionTimeoutTest : public ::testing::Test {
 protected:
  void Beats(uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) timeout_.NoteGap(kHeartbeatTicks);
  }
  CoreOptions options_;
  ElectionTimeout timeout_{options_};
  Rng rng_{7};
};

TEST_F(ElectionTimeoutTest, UsesTheConfiguredRangeUntilEnoughGapsAreMeasured) {
  Beats(kGapSamplesMin - 1);
  const Range range = Draws(timeout_, rng_);
  EXPECT_EQ(range.lo, kElectionTicksMin);
  EXPECT_EQ(range.hi, kElectionTicksMax);
}

TEST_F(ElectionTimeoutTest, ShortensToThreeGapsOnAQuietNetwork) {
  Beats(kGapSamplesMin);
  const Range range = Draws(timeout_, rng_);
  EXPECT_EQ(range.lo, kElectionTicksFloor);
  EXPECT_EQ(range.hi, kElectionTicksFloor * kElectionTicksMax / kElectionTicksMin);
}

TEST_F(ElectionTimeoutTest, GrowsWithLateBeatsUpToTheConfiguredMinimum) {
  Beats(kGapSamplesMin);
  timeout_.NoteGap(8);  // one late beat: 3 x 8 = 24 ticks
  EXPECT_EQ(Draws(timeout_, rng_).lo, 24U);
  timeout_.NoteGap(40);  // a long stall: capped at the configured range
  const Range range = Draws(timeout_, rng_);
  EXPECT_EQ(range.lo, kElectionTicksMin);
  EXPECT_EQ(range.hi, kElectionTicksMax);
}

TEST_F(ElectionTimeoutTest, ALateBeatWeighsLessAsOnTimeBeatsFollow) {
  Beats(kGapSamplesMin);
  timeout_.NoteGap(9);
  Beats(kGapDecaySamples);
  EXPECT_EQ(timeout_.gap_max_ticks(), 8U);
  Beats(10 * kGapDecaySamples);
  EXPECT_EQ(timeout_.gap_max_ticks(), kHeartbeatTicks);  // never below what is measured now
}

}  // namespace
}  // namespace pifleet::core
