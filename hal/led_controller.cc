#include "hal/led_controller.h"

#include "agent/base/assert.h"
#include "hal/constants.h"

namespace pifleet::hal {

LedPattern PatternOfRole(Role role) {
  switch (role) {
    case Role::kBooting:
      return LedPattern::kBooting;
    case Role::kSearching:
      return LedPattern::kSearching;
    case Role::kJoining:
      return LedPattern::kJoining;
    case Role::kLearner:
      return LedPattern::kLearner;
    case Role::kFollower:
      return LedPattern::kFollower;
    case Role::kLeader:
      return LedPattern::kLeader;
    case Role::kNoQuorum:
      return LedPattern::kNoQuorum;
  }
  PIFLEET_ASSERT_MSG(false, "unknown role");
  return LedPattern::kFailed;
}

LedController::LedController(LedDriver* status_led, LedDriver* heartbeat_led)
    : status_led_(status_led), heartbeat_led_(heartbeat_led) {}

void LedController::Identify(uint64_t now_ms, uint32_t seconds) {
  PIFLEET_ASSERT(seconds > 0 && seconds <= kIdentifySecondsMax);
  identify_ = true;
  identify_until_ms_ = now_ms + uint64_t{seconds} * 1000;
}

void LedController::OnLeaderHeartbeat() {
  if (heartbeat_led_ == nullptr || failed_) return;
  heartbeat_level_ = !heartbeat_level_;
  Note(heartbeat_led_->SetLevel(heartbeat_level_));
}

LedPattern LedController::Desired(uint64_t now_ms) const {
  if (failed_) return LedPattern::kFailed;
  if (identify_ && now_ms < identify_until_ms_) return LedPattern::kIdentify;
  if (disk_full_) return LedPattern::kDiskFull;
  if (hot_) return LedPattern::kHotThrottled;
  return PatternOfRole(role_);
}

uint64_t LedController::Tick(uint64_t now_ms) {
  PIFLEET_ASSERT_MSG(!started_ || now_ms >= last_tick_ms_, "LED time went backwards");
  last_tick_ms_ = now_ms;
  if (identify_ && now_ms >= identify_until_ms_) identify_ = false;
  const LedPattern desired = Desired(now_ms);
  if (!started_ || desired != active_) {
    started_ = true;
    active_ = desired;
    active_since_ms_ = now_ms;
  }
  const PatternLevel level = LevelAt(SpecOf(active_), now_ms - active_since_ms_);
  if (status_led_ != nullptr && (!level_known_ || level.on != level_)) {
    const Status status = status_led_->SetLevel(level.on);
    Note(status);
    level_known_ = status.ok();  // retry the write on the next tick after a failure
    level_ = level.on;
  }
  // A steady pattern has no next change of its own; wake for identify's end, or in a second
  // to notice state changes made without a tick.
  uint64_t next_ms = now_ms + (level.remaining_ms == 0 ? 1000 : level.remaining_ms);
  if (identify_ && identify_until_ms_ < next_ms) next_ms = identify_until_ms_;
  PIFLEET_ASSERT(next_ms > now_ms);
  return next_ms;
}

Status LedController::Restore() {
  Status first;
  for (LedDriver* led : {status_led_, heartbeat_led_}) {
    if (led == nullptr) continue;
    const Status status = led->Restore();
    if (!status.ok() && first.ok()) first = status;
  }
  level_known_ = false;
  return first;
}

void LedController::Note(const Status& status) {
  if (status.ok()) return;
  last_error_ = status;
  ++error_count_;
}

}  // namespace pifleet::hal
