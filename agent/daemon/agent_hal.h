// The agent's hardware: the status and heartbeat LEDs speaking the LED language (docs/leds.md)
// and the probe loop that turns readings into capacity for the members table (docs/hal.md).
// Every call comes from the agent's event loop, so a hung loop freezes both LEDs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "agent/daemon/log.h"
#include "agent/sm/members.h"
#include "hal/calibration.h"
#include "hal/capacity.h"
#include "hal/capacity_publisher.h"
#include "hal/led_config.h"
#include "hal/led_controller.h"
#include "hal/node_role.h"
#include "hal/probes.h"

namespace pifleet::daemon {

// Milliseconds on the steady clock: the time base of every AgentHal call.
uint64_t SteadyNowMs();

class AgentHal {
 public:
  AgentHal(std::string sysroot, const hal::LedConfig& leds, Logger* log);
  ~AgentHal();  // gives the LEDs back if Restore was not called (a failed start)
  AgentHal(const AgentHal&) = delete;
  AgentHal& operator=(const AgentHal&) = delete;

  // Opens the LEDs (a missing one is logged, never fatal), shows booting, calibrates the
  // per-core speed and takes the first probe reading.
  void Open(uint64_t now_ms);
  // From every loop tick: probes once a second, publishes capacity when it moved, and steps the
  // status LED when it is due or the state changed.
  void Tick(uint64_t now_ms, const hal::NodeView& view, bool disk_full);
  // When Tick() next has something to do: an LED step, or (now_ms) an LED change asked for
  // since; UINT64_MAX with no LEDs open. Probes wake nothing: they run on the first tick after
  // they are due, and the loop ticks at least once a second (its maintenance).
  uint64_t NextDueMs(uint64_t now_ms) const;

  // The heartbeat LED: toggled on each leader heartbeat received, or sent by the leader.
  void HeartbeatReceived(uint64_t now_ms);
  void HeartbeatSent();
  // Since the last heartbeat received; UINT64_MAX before the first.
  uint64_t LeaderSilentMs(uint64_t now_ms) const;

  void Identify(uint64_t now_ms, uint32_t seconds);
  // Gives both LEDs back as they were found (the agent's clean exit).
  void Restore();

  // What this node publishes about itself: capacity, temperature, throttle bits (as last
  // published, so a row changes only when the publisher says so), board and serial.
  void FillMember(sm::Member* member) const;
  const char* pattern_name() const;
  const hal::Capacity& capacity() const { return capacity_; }

 private:
  void Probe(uint64_t now_ms);
  void Recalibrate();  // when core_speed_ says it is due
  void LogLedErrors(uint64_t now_ms);

  std::string sysroot_;
  hal::LedConfig led_config_;
  Logger* log_;
  std::unique_ptr<hal::LedDriver> status_led_;
  std::unique_ptr<hal::LedDriver> heartbeat_led_;
  std::unique_ptr<hal::LedController> controller_;  // from Open on
  uint64_t next_led_ms_ = 0;
  uint64_t led_errors_logged_ = 0;
  uint64_t last_heartbeat_ms_ = 0;
  bool heartbeat_seen_ = false;
  bool restored_ = false;

  hal::Prober prober_;
  std::optional<hal::CoreSpeed> core_speed_;  // from Open on
  uint64_t next_probe_ms_ = 0;
  hal::Capacity capacity_;
  bool hot_ = false;
  int64_t temperature_milli_ = 0;
  uint32_t throttled_bits_ = 0;
  std::string board_;
  std::string serial_;
  hal::CapacityPublisher publisher_;
  uint64_t published_capacity_milli_ = 0;
  int64_t published_temperature_milli_ = 0;
  uint32_t published_throttled_bits_ = 0;
};

}  // namespace pifleet::daemon
