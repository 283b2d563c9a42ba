// Calibration: the work is deterministic and the arithmetic right, and CoreSpeed's schedule and
// maximum. No timing assertions: the spread on a real machine is measured by
// pifleet_hal_measure, not asserted here.
#include <gtest/gtest.h>

#include <vector>

#include "hal/calibration.h"
#include "hal/constants.h"

namespace pifleet::hal {
namespace {

TEST(CalibrationTest, WorkIsDeterministic) {
  EXPECT_EQ(CalibrationWork(0), 0x9E3779B97F4A7C15ull);
  EXPECT_EQ(CalibrationWork(1000), CalibrationWork(1000));
  EXPECT_NE(CalibrationWork(1000), CalibrationWork(1001));
}

TEST(CalibrationTest, SpeedIsIterationsOverTheFastestRound) {
  // Scripted clock: rounds take 5, 4 and 6 ms.
  const std::vector<uint64_t> times_ns = {0,          5'000'000,  10'000'000,
                                          14'000'000, 20'000'000, 26'000'000};
  std::size_t next = 0;
  const Calibration c = Calibrate(2'000'000, 3, [&] { return times_ns.at(next++); });
  EXPECT_EQ(next, times_ns.size());
  EXPECT_EQ(c.best_ns, 4'000'000u);
  EXPECT_DOUBLE_EQ(c.core_speed_mops, 500.0);  // 2e6 iterations in 4 ms
  EXPECT_EQ(c.checksum, CalibrationWork(2'000'000));
}

TEST(CalibrationTest, AClockThatDoesNotMoveStillGivesAFiniteSpeed) {
  const Calibration c = Calibrate(1000, 1, [] { return uint64_t{42}; });
  EXPECT_EQ(c.best_ns, 0u);
  EXPECT_DOUBLE_EQ(c.core_speed_mops, 1e6);
}

TEST(CalibrationTest, RealClockGivesAPositiveSpeed) {
  EXPECT_GT(CalibrateNow().core_speed_mops, 0.0);
}

TEST(CoreSpeedTest, CalibratesAgainAtDoublingReadingsThenAtTheLongestGap) {
  CoreSpeed speed(100.0);
  std::vector<uint64_t> due;
  for (uint64_t reading = 1; reading <= 4 * kRecalibrateReadingsMax; ++reading) {
    if (speed.Due()) due.push_back(reading);
  }
  std::vector<uint64_t> expected;
  for (uint64_t at = 2; at <= kRecalibrateReadingsMax; at *= 2) expected.push_back(at);
  for (uint64_t at = 2 * kRecalibrateReadingsMax; at <= 4 * kRecalibrateReadingsMax;
       at += kRecalibrateReadingsMax) {
    expected.push_back(at);
  }
  EXPECT_EQ(due, expected);
}

TEST(CoreSpeedTest, KeepsTheFastestCalibration) {
  CoreSpeed speed(100.0);  // a start under load
  EXPECT_FALSE(speed.Offer(90.0));
  EXPECT_EQ(speed.mops(), 100.0);
  EXPECT_TRUE(speed.Offer(140.0));  // the load is gone
  EXPECT_FALSE(speed.Offer(120.0));
  EXPECT_EQ(speed.mops(), 140.0);
}

}  // namespace
}  // namespace pifleet::hal
