// What this node can do right now (DESIGN §7):
//   capacity = online cores x per-core speed x thermal factor x throttle factor x quota share
// in Mops (calibration.h). Jobs split work by each node's share of the fleet's total.
#pragma once

#include <cstdint>
#include <optional>

#include "hal/probes.h"
#include "hal/throttle_probe.h"

namespace pifleet::hal {

struct Capacity {
  double value_mops = 0.0;
  int cores = 0;
  double core_speed_mops = 0.0;
  double thermal_factor = 1.0;
  double throttle_factor = 1.0;
  double quota_share = 1.0;
};

// 1 up to kThermalSoftLimitMilliC, linear down to kThermalFactorFloor at the hard limit and
// beyond; 1 when no temperature is known.
double ThermalFactor(std::optional<int32_t> temp_milli_c);

// 1 unless the clock is capped, throttled or held by the soft temperature limit now; then the
// current/max clock ratio (kThrottleFactorUnknownClock without a clock), times
// kUnderVoltagePenalty while under-voltage is active; never below kThrottleFactorFloor.
double ThrottleFactor(const ThrottleReading& throttle, std::optional<int64_t> cur_khz,
                      std::optional<int64_t> max_khz);

// min(1, quota cores / online cores); 1 without a quota.
double QuotaShare(std::optional<double> quota_cores, int online_cores);

Capacity ComputeCapacity(const ProbeSnapshot& snapshot, double core_speed_mops);

// What the LED controller's hot-throttled state follows: heat or the firmware cost capacity.
// A cgroup quota is configuration, not trouble, so it does not count.
inline bool HotOrThrottled(const Capacity& capacity) {
  return capacity.thermal_factor < 1.0 || capacity.throttle_factor < 1.0;
}

}  // namespace pifleet::hal
