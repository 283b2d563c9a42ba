// Maps the agent's state to an LED pattern and steps it. The agent calls Tick from its own
// event loop at the time Tick asked for, so a hung agent freezes the status LED. The heartbeat
// LED changes only when the agent calls OnLeaderHeartbeat: no kernel timer blinks it.
//
// Precedence: failed > identify > disk-full > hot-throttled > the role's pattern.
#pragma once

#include <cstdint>

#include "agent/base/status.h"
#include "hal/constants.h"
#include "hal/led_driver.h"
#include "hal/led_language.h"

namespace pifleet::hal {

enum class Role : uint8_t {
  kBooting,
  kSearching,
  kJoining,
  kLearner,
  kFollower,
  kLeader,
  kNoQuorum,
};

LedPattern PatternOfRole(Role role);

class LedController {
 public:
  // Either driver may be null (no such LED on this board). Not owned; must outlive this.
  LedController(LedDriver* status_led, LedDriver* heartbeat_led);

  void SetRole(Role role) { role_ = role; }
  void SetDiskFull(bool full) { disk_full_ = full; }
  void SetHotThrottled(bool hot) { hot_ = hot; }
  void SetFailed(bool failed) { failed_ = failed; }
  // Blinks the identify pattern for `seconds` (1..kIdentifySecondsMax) from now_ms.
  void Identify(uint64_t now_ms, uint32_t seconds = kIdentifySecondsDefault);

  // Toggles the heartbeat LED: call on each heartbeat the leader sends or receives.
  void OnLeaderHeartbeat();

  // Drives the status LED for time now_ms (monotonic; never goes back) and returns when the
  // level next changes, i.e. when to call Tick again.
  uint64_t Tick(uint64_t now_ms);

  LedPattern Desired(uint64_t now_ms) const;
  LedPattern active() const { return active_; }
  // The last driver error; LEDs never stop the agent, so errors are kept, not returned.
  const Status& last_error() const { return last_error_; }
  uint64_t error_count() const { return error_count_; }

  // Gives both LEDs back as they were found (the agent's clean exit).
  Status Restore();

 private:
  void Note(const Status& status);

  LedDriver* status_led_;
  LedDriver* heartbeat_led_;
  Role role_ = Role::kBooting;
  bool disk_full_ = false;
  bool hot_ = false;
  bool failed_ = false;
  bool identify_ = false;
  uint64_t identify_until_ms_ = 0;

  bool started_ = false;
  LedPattern active_ = LedPattern::kBooting;
  uint64_t active_since_ms_ = 0;
  uint64_t last_tick_ms_ = 0;
  bool level_known_ = false;
  bool level_ = false;
  bool heartbeat_level_ = false;
  Status last_error_;
  uint64_t error_count_ = 0;
};

}  // namespace pifleet::hal
