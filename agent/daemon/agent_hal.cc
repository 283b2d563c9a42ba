#include "agent/daemon/agent_hal.h"

#include <chrono>
#include <cmath>
#include <utility>

#include "agent/core/constants.h"
#include "hal/calibration.h"
#include "hal/constants.h"
#include "hal/probes.h"

namespace pifleet::daemon {
namespace {

// A calibration this much faster than the speed so far is logged (a slow start corrected);
// smaller gains are the noise between runs.
constexpr double kCoreSpeedLogRise = 0.05;

// The get_throttled word: the firmware's own when it gave one, else the same bits rebuilt from
// what the other sources (hwmon, inference) found.
uint32_t ThrottledBits(const hal::ThrottleReading& throttle) {
  if (throttle.raw) return *throttle.raw;
  const auto bits = [](const hal::ThrottleFlags& flags) {
    return (flags.under_voltage ? hal::kThrottleUnderVoltage : 0u) |
           (flags.freq_capped ? hal::kThrottleFreqCapped : 0u) |
           (flags.throttled ? hal::kThrottleThrottled : 0u) |
           (flags.soft_temp_limit ? hal::kThrottleSoftTempLimit : 0u);
  };
  return bits(throttle.now) | bits(throttle.since_boot) << hal::kThrottleSinceBootShift;
}

}  // namespace

uint64_t SteadyNowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

AgentHal::AgentHal(std::string sysroot, const hal::LedConfig& leds, Logger* log)
    : sysroot_(std::move(sysroot)),
      led_config_(leds),
      log_(log),
      prober_(sysroot_),
      publisher_([this](double capacity_mops) {
        published_capacity_milli_ = static_cast<uint64_t>(std::llround(capacity_mops * 1000));
        published_temperature_milli_ = temperature_milli_;
        published_throttled_bits_ = throttled_bits_;
      }) {}

AgentHal::~AgentHal() {
  if (!restored_) Restore();
}

void AgentHal::Open(uint64_t now_ms) {
  const auto open = [this](const std::optional<hal::LedSpec>& spec, const char* which,
                           std::unique_ptr<hal::LedDriver>* out) {
    if (!spec) return;
    if (Status status = hal::MakeLedDriver(*spec, sysroot_, out); !status.ok()) {
      log_->Log(Level::kWarning, std::string("no ") + which + " LED; running without it",
                {{"DETAIL", status.message()}});
      out->reset();
      return;
    }
    log_->Log(Level::kInfo, std::string(which) + " LED", {{"LED", (*out)->Describe()}});
  };
  open(led_config_.status, "status", &status_led_);
  open(led_config_.heartbeat, "heartbeat", &heartbeat_led_);
  controller_ = std::make_unique<hal::LedController>(status_led_.get(), heartbeat_led_.get());
  next_led_ms_ = controller_->Tick(now_ms);  // booting, while the WAL is read

  const hal::Calibration calibration = hal::CalibrateNow();
  core_speed_.emplace(calibration.core_speed_mops);
  Probe(now_ms);
  log_->Log(Level::kInfo, "hardware",
            {{"BOARD", board_},
             {"CORE_SPEED_MOPS", std::to_string(core_speed_->mops())},
             {"CAPACITY_MOPS", std::to_string(capacity_.value_mops)}});
}

void AgentHal::Tick(uint64_t now_ms, const hal::NodeView& view, bool disk_full) {
  if (!controller_) return;
  if (now_ms >= next_probe_ms_) Probe(now_ms);
  controller_->SetRole(hal::RoleOf(view));
  controller_->SetDiskFull(disk_full);
  if (now_ms >= next_led_ms_ || controller_->Desired(now_ms) != controller_->active()) {
    next_led_ms_ = controller_->Tick(now_ms);
  }
  LogLedErrors(now_ms);
}

uint64_t AgentHal::NextDueMs(uint64_t now_ms) const {
  if (!controller_) return UINT64_MAX;
  if (controller_->Desired(now_ms) != controller_->active()) return now_ms;
  return next_led_ms_;
}

void AgentHal::Probe(uint64_t now_ms) {
  // A tick early, so that the next maintenance tick (once a second) runs it: no wake of its own.
  next_probe_ms_ = now_ms + hal::kProbeIntervalMs - core::kTickMs;
  const hal::ProbeSnapshot snapshot = prober_.Read();
  Recalibrate();
  capacity_ = hal::ComputeCapacity(snapshot, core_speed_->mops());
  temperature_milli_ = snapshot.thermal.max_milli_c.value_or(0);
  throttled_bits_ = ThrottledBits(snapshot.throttle);
  board_ = snapshot.identity.model;
  serial_ = snapshot.identity.serial;
  const bool hot = hal::HotOrThrottled(capacity_);
  if (hot != hot_) {
    log_->Log(hot ? Level::kWarning : Level::kNotice,
              hot ? "hot or throttled: capacity lowered" : "no longer hot or throttled",
              {{"TEMPERATURE_MILLI_C", std::to_string(temperature_milli_)},
               {"THROTTLED", std::to_string(throttled_bits_)},
               {"CAPACITY_MOPS", std::to_string(capacity_.value_mops)}});
  }
  hot_ = hot;
  if (controller_) controller_->SetHotThrottled(hot);
  publisher_.Offer(now_ms, capacity_.value_mops);
}

void AgentHal::Recalibrate() {
  if (!core_speed_->Due()) return;
  // One round: a few milliseconds of the loop, at most every kRecalibrateReadingsMax seconds
  // once the first minutes are past.
  const double before = core_speed_->mops();
  if (!core_speed_->Offer(hal::CalibrateNow(/*rounds=*/1).core_speed_mops)) return;
  if (core_speed_->mops() < before * (1.0 + kCoreSpeedLogRise)) return;
  log_->Log(Level::kInfo, "core speed measured again: faster",
            {{"CORE_SPEED_MOPS", std::to_string(core_speed_->mops())},
             {"BEFORE_MOPS", std::to_string(before)}});
}

void AgentHal::HeartbeatReceived(uint64_t now_ms) {
  last_heartbeat_ms_ = now_ms;
  heartbeat_seen_ = true;
  if (controller_) controller_->OnLeaderHeartbeat();
}

void AgentHal::HeartbeatSent() {
  if (controller_) controller_->OnLeaderHeartbeat();
}

uint64_t AgentHal::LeaderSilentMs(uint64_t now_ms) const {
  if (!heartbeat_seen_) return UINT64_MAX;
  return now_ms >= last_heartbeat_ms_ ? now_ms - last_heartbeat_ms_ : 0;
}

void AgentHal::Identify(uint64_t now_ms, uint32_t seconds) {
  if (!controller_) return;
  controller_->Identify(now_ms, seconds);
  next_led_ms_ = controller_->Tick(now_ms);
  log_->Log(Level::kNotice, "identify: blinking the status LED",
            {{"SECONDS", std::to_string(seconds)}});
}

void AgentHal::Restore() {
  if (!controller_) return;
  restored_ = true;
  if (Status status = controller_->Restore(); !status.ok()) {
    log_->Log(Level::kWarning, "could not give the LEDs back: " + status.message());
  }
}

void AgentHal::FillMember(sm::Member* member) const {
  member->board = board_ == "unknown" ? "" : board_;
  member->serial = serial_ == "unknown" ? "" : serial_;
  member->capacity_milli = published_capacity_milli_;
  member->temperature_milli = published_temperature_milli_;
  member->throttled_bits = published_throttled_bits_;
}

const char* AgentHal::pattern_name() const {
  return controller_ ? hal::SpecOf(controller_->active()).name : "none";
}

void AgentHal::LogLedErrors(uint64_t now_ms) {
  if (controller_->error_count() == led_errors_logged_) return;
  led_errors_logged_ = controller_->error_count();
  log_->LogLimited("led", now_ms, Level::kWarning,
                   "LED write failed: " + controller_->last_error().message());
}

}  // namespace pifleet::daemon
