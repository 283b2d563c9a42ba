// The controller: each role drives its documented pattern, precedence holds, identify expires,
// and the heartbeat LED moves only on leader heartbeats.
#include <gtest/gtest.h>

#include <vector>

#include "hal/led_controller.h"

namespace pifleet::hal {
namespace {

class FakeLed final : public LedDriver {
 public:
  Status SetLevel(bool on) override {
    levels.push_back(on);
    return fail ? Status::IOError("gone") : Status::Ok();
  }
  Status HoldBlink(uint32_t, uint32_t) override { return Status::Ok(); }
  Status Restore() override {
    ++restores;
    return Status::Ok();
  }
  std::string Describe() const override { return "fake"; }
  std::vector<bool> levels;
  int restores = 0;
  bool fail = false;
};

// Ticks at the times the controller asks for and returns the durations of each level, starting
// with the first "on" step.
std::vector<uint32_t> Durations(LedController& controller, uint64_t start_ms, int changes) {
  std::vector<uint32_t> out;
  uint64_t now = start_ms;
  uint64_t since = start_ms;
  for (int i = 0; i < changes; ++i) {
    const uint64_t next = controller.Tick(now);
    if (i > 0) out.push_back(static_cast<uint32_t>(now - since));
    since = now;
    now = next;
  }
  return out;
}

TEST(LedControllerTest, EachRoleDrivesItsDocumentedPattern) {
  const Role roles[] = {Role::kBooting,  Role::kSearching, Role::kJoining, Role::kLearner,
                        Role::kFollower, Role::kLeader,    Role::kNoQuorum};
  for (Role role : roles) {
    const PatternSpec& spec = SpecOf(PatternOfRole(role));
    SCOPED_TRACE(spec.name);
    FakeLed status;
    LedController controller(&status, nullptr);
    controller.SetRole(role);
    const std::vector<uint32_t> seen = Durations(controller, 5000, 2 * spec.step_count + 1);
    EXPECT_EQ(controller.active(), PatternOfRole(role));
    if (spec.step_count == 0) {
      EXPECT_EQ(status.levels, std::vector<bool>{true});  // steady on, written once
      continue;
    }
    // Two full cycles: the step durations twice, the LED alternating from "on".
    ASSERT_EQ(seen.size(), 2u * spec.step_count);
    for (std::size_t i = 0; i < seen.size(); ++i) {
      EXPECT_EQ(seen[i], spec.steps_ms[i % spec.step_count]) << "step " << i;
      EXPECT_EQ(status.levels[i], i % 2 == 0) << "step " << i;
    }
  }
}

TEST(LedControllerTest, RoleChangeRestartsThePatternFromItsFirstStep) {
  FakeLed status;
  LedController controller(&status, nullptr);
  controller.SetRole(Role::kSearching);
  EXPECT_EQ(controller.Tick(0), 100u);
  EXPECT_EQ(controller.Tick(100), 2000u);  // off until the next flash
  controller.SetRole(Role::kFollower);
  controller.Tick(700);
  EXPECT_EQ(controller.active(), LedPattern::kFollower);
  EXPECT_EQ(status.levels, (std::vector<bool>{true, false, true}));
}

TEST(LedControllerTest, PrecedenceIsFailedIdentifyDiskHotThenRole) {
  LedController controller(nullptr, nullptr);
  controller.SetRole(Role::kLeader);
  EXPECT_EQ(controller.Desired(0), LedPattern::kLeader);
  controller.SetHotThrottled(true);
  EXPECT_EQ(controller.Desired(0), LedPattern::kHotThrottled);
  controller.SetDiskFull(true);
  EXPECT_EQ(controller.Desired(0), LedPattern::kDiskFull);
  controller.Identify(0, 5);
  EXPECT_EQ(controller.Desired(0), LedPattern::kIdentify);
  controller.SetFailed(true);
  EXPECT_EQ(controller.Desired(0), LedPattern::kFailed);
}

TEST(LedControllerTest, IdentifyLastsItsDurationThenTheRoleComesBack) {
  FakeLed status;
  LedController controller(&status, nullptr);
  controller.SetRole(Role::kFollower);
  EXPECT_EQ(controller.Tick(0), 1000u);  // steady: recheck in a second
  controller.Identify(200, 3);
  uint64_t now = 200;
  while (now < 3200) {
    controller.Tick(now);
    EXPECT_EQ(controller.active(), LedPattern::kIdentify) << now;
    now += 50;
  }
  EXPECT_EQ(now, 3200u);
  controller.Tick(now);
  EXPECT_EQ(controller.active(), LedPattern::kFollower);
  EXPECT_TRUE(status.levels.back());
}

TEST(LedControllerTest, IdentifyDefaultsToThirtySeconds) {
  LedController controller(nullptr, nullptr);
  controller.Identify(1000);
  EXPECT_EQ(controller.Desired(30'999), LedPattern::kIdentify);
  EXPECT_EQ(controller.Desired(31'000), LedPattern::kBooting);
}

TEST(LedControllerTest, ASteadyPatternWakesAtTheEndOfIdentify) {
  LedController controller(nullptr, nullptr);
  controller.SetRole(Role::kFollower);
  controller.Identify(0, 1);
  // The strobe's 50 ms step would end at 1040; identify itself ends at 1000.
  EXPECT_EQ(controller.Tick(990), 1000u);
  controller.Tick(1000);
  EXPECT_EQ(controller.active(), LedPattern::kFollower);
}

TEST(LedControllerTest, HeartbeatLedMovesOnlyOnLeaderHeartbeats) {
  FakeLed status;
  FakeLed heartbeat;
  LedController controller(&status, &heartbeat);
  controller.SetRole(Role::kLeader);
  for (uint64_t t = 0; t < 10'000; t += 100) controller.Tick(t);
  EXPECT_TRUE(heartbeat.levels.empty());  // ticks alone never blink it: a hung agent shows
  controller.OnLeaderHeartbeat();
  controller.OnLeaderHeartbeat();
  controller.OnLeaderHeartbeat();
  EXPECT_EQ(heartbeat.levels, (std::vector<bool>{true, false, true}));
  controller.SetFailed(true);
  controller.OnLeaderHeartbeat();
  EXPECT_EQ(heartbeat.levels.size(), 3u);
}

TEST(LedControllerTest, DriverErrorsAreKeptAndTheWriteRetried) {
  FakeLed status;
  status.fail = true;
  LedController controller(&status, nullptr);
  controller.SetRole(Role::kFollower);
  controller.Tick(0);
  controller.Tick(1000);
  EXPECT_EQ(controller.error_count(), 2u);
  EXPECT_EQ(controller.last_error().code(), Status::Code::kIOError);
  status.fail = false;
  controller.Tick(2000);
  controller.Tick(3000);
  EXPECT_EQ(status.levels.size(), 3u);  // retried until it stuck, then left alone
}

TEST(LedControllerTest, RestoreGivesBothLedsBack) {
  FakeLed status;
  FakeLed heartbeat;
  LedController controller(&status, &heartbeat);
  controller.Tick(0);
  EXPECT_TRUE(controller.Restore().ok());
  EXPECT_EQ(status.restores, 1);
  EXPECT_EQ(heartbeat.restores, 1);
}

}  // namespace
}  // namespace pifleet::hal
