// Capacity on every fixture: hot, throttled, under-voltage and quota-limited boards yield less
// than the cool one by exactly the factors docs/hal.md documents.
#include <gtest/gtest.h>

#include <vector>

#include "hal/capacity.h"
#include "hal/capacity_publisher.h"
#include "hal/constants.h"
#include "tests/unit/hal/fixture.h"

namespace pifleet::hal {
namespace {

constexpr double kSpeed = 100.0;  // Mops per core: any fixed calibration result will do

Capacity CapacityOf(const char* fixture, double speed = kSpeed) {
  LoadProbe load;
  return ComputeCapacity(ReadProbes(testing::FixturePath(fixture), &load), speed);
}

TEST(CapacityTest, CoolBoardIsCoresTimesSpeed) {
  for (const char* fixture : {"pi3b-cool", "pi4b-cool", "pi5-cool"}) {
    SCOPED_TRACE(fixture);
    const Capacity c = CapacityOf(fixture);
    EXPECT_EQ(c.cores, 4);
    EXPECT_DOUBLE_EQ(c.thermal_factor, 1.0);
    EXPECT_DOUBLE_EQ(c.throttle_factor, 1.0);
    EXPECT_DOUBLE_EQ(c.quota_share, 1.0);
    EXPECT_DOUBLE_EQ(c.value_mops, 400.0);
  }
}

TEST(CapacityTest, FasterCalibrationCountsMore) {
  // Same four cores; a Pi 5 core calibrates faster than a Pi 3 core.
  EXPECT_GT(CapacityOf("pi5-cool", 250.0).value_mops, CapacityOf("pi3b-cool", 60.0).value_mops);
}

TEST(CapacityTest, HotBoardLosesTheThermalFactor) {
  const Capacity cool = CapacityOf("pi4b-cool");
  const Capacity hot = CapacityOf("pi4b-hot");
  // 78.5 C: 8.5 of the 15 degrees between 70 and 85 C, so 1 - 0.75 * 8.5 / 15.
  EXPECT_DOUBLE_EQ(hot.thermal_factor, 0.575);
  EXPECT_DOUBLE_EQ(hot.throttle_factor, 1.0);
  EXPECT_DOUBLE_EQ(hot.value_mops, cool.value_mops * 0.575);
}

TEST(CapacityTest, ThrottledBoardLosesThermalAndClockFactors) {
  const Capacity cool = CapacityOf("pi4b-cool");
  const Capacity throttled = CapacityOf("pi4b-throttled");
  // 83.1 C -> 1 - 0.75 * 13.1 / 15; capped and throttled at 1.0 of 1.8 GHz.
  EXPECT_NEAR(throttled.thermal_factor, 0.345, 1e-12);
  EXPECT_NEAR(throttled.throttle_factor, 1.0 / 1.8, 1e-12);
  EXPECT_NEAR(throttled.value_mops, cool.value_mops * 0.345 / 1.8, 1e-9);
}

TEST(CapacityTest, UnderVoltageHalvesTheClockFactor) {
  const Capacity cool = CapacityOf("pi4b-cool");
  const Capacity uv = CapacityOf("pi4b-undervoltage");
  EXPECT_DOUBLE_EQ(uv.thermal_factor, 1.0);  // 52 C
  EXPECT_NEAR(uv.throttle_factor, 1.2 / 1.8 * 0.5, 1e-12);
  EXPECT_NEAR(uv.value_mops, cool.value_mops / 3.0, 1e-9);
}

TEST(CapacityTest, Pi5AboveTheHardLimitSitsOnTheFloor) {
  const Capacity hot = CapacityOf("pi5-hot");
  EXPECT_DOUBLE_EQ(hot.thermal_factor, kThermalFactorFloor);
  // hwmon only reports under-voltage since boot: nothing active now.
  EXPECT_DOUBLE_EQ(hot.throttle_factor, 1.0);
  EXPECT_DOUBLE_EQ(hot.value_mops, CapacityOf("pi5-cool").value_mops * 0.25);
}

TEST(CapacityTest, QuotaShareLimitsAContainedAgent) {
  EXPECT_DOUBLE_EQ(CapacityOf("pi4b-quota").quota_share, 0.5);  // 2 of 4 cores
  EXPECT_DOUBLE_EQ(CapacityOf("pi4b-quota").value_mops, 200.0);
  const Capacity container = CapacityOf("container-x86");
  EXPECT_DOUBLE_EQ(container.quota_share, 0.75);  // 1.5 of 2 cores
  EXPECT_DOUBLE_EQ(container.value_mops, 150.0);
}

TEST(CapacityTest, HotOrThrottledFollowsTheThermalAndThrottleFactors) {
  EXPECT_FALSE(HotOrThrottled(CapacityOf("pi4b-cool")));
  EXPECT_FALSE(HotOrThrottled(CapacityOf("pi4b-quota")));
  for (const char* fixture : {"pi4b-hot", "pi4b-throttled", "pi4b-undervoltage", "pi5-hot"}) {
    EXPECT_TRUE(HotOrThrottled(CapacityOf(fixture))) << fixture;
  }
}

TEST(CapacityTest, FactorsAtTheirEdges) {
  EXPECT_DOUBLE_EQ(ThermalFactor(std::nullopt), 1.0);
  EXPECT_DOUBLE_EQ(ThermalFactor(kThermalSoftLimitMilliC), 1.0);
  EXPECT_DOUBLE_EQ(ThermalFactor(77500), 0.625);
  EXPECT_DOUBLE_EQ(ThermalFactor(kThermalHardLimitMilliC), kThermalFactorFloor);
  EXPECT_DOUBLE_EQ(ThermalFactor(110000), kThermalFactorFloor);

  ThrottleReading capped = DecodeThrottled(kThrottleFreqCapped);
  EXPECT_DOUBLE_EQ(ThrottleFactor(capped, std::nullopt, 1800000), kThrottleFactorUnknownClock);
  EXPECT_DOUBLE_EQ(ThrottleFactor(capped, 100000, 1800000), kThrottleFactorFloor);
  EXPECT_DOUBLE_EQ(ThrottleFactor(DecodeThrottled(0xF0000), 600000, 1800000), 1.0);
  EXPECT_DOUBLE_EQ(ThrottleFactor(DecodeThrottled(kThrottleUnderVoltage), 1800000, 1800000), 0.5);

  EXPECT_DOUBLE_EQ(QuotaShare(std::nullopt, 4), 1.0);
  EXPECT_DOUBLE_EQ(QuotaShare(8.0, 4), 1.0);
  EXPECT_DOUBLE_EQ(QuotaShare(1.0, 4), 0.25);
}

TEST(CapacityPublisherTest, PublishesFirstThenOnlyBigMovesAfterTheInterval) {
  std::vector<double> published;
  CapacityPublisher publisher([&](double v) { published.push_back(v); }, 0.10, 10'000);
  EXPECT_TRUE(publisher.Offer(0, 400.0));
  EXPECT_FALSE(publisher.Offer(20'000, 430.0));  // +7.5%: not enough
  EXPECT_FALSE(publisher.Offer(21'000, 365.0));  // -8.75%: not enough either
  EXPECT_TRUE(publisher.Offer(30'000, 300.0));   // -25%
  EXPECT_FALSE(publisher.Offer(35'000, 100.0));  // big, but within 10 s of the last publish
  EXPECT_TRUE(publisher.Offer(40'000, 100.0));
  EXPECT_EQ(published, (std::vector<double>{400.0, 300.0, 100.0}));
  EXPECT_DOUBLE_EQ(publisher.last_published_mops(), 100.0);
}

}  // namespace
}  // namespace pifleet::hal
