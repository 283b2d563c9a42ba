#include "hal/capacity.h"

#include <algorithm>

#include "agent/base/assert.h"
#include "hal/constants.h"

namespace pifleet::hal {

double ThermalFactor(std::optional<int32_t> temp_milli_c) {
  if (!temp_milli_c || *temp_milli_c <= kThermalSoftLimitMilliC) return 1.0;
  if (*temp_milli_c >= kThermalHardLimitMilliC) return kThermalFactorFloor;
  const double span = kThermalHardLimitMilliC - kThermalSoftLimitMilliC;
  const double above = *temp_milli_c - kThermalSoftLimitMilliC;
  const double factor = 1.0 - (1.0 - kThermalFactorFloor) * above / span;
  PIFLEET_ASSERT(factor >= kThermalFactorFloor && factor <= 1.0);
  return factor;
}

double ThrottleFactor(const ThrottleReading& throttle, std::optional<int64_t> cur_khz,
                      std::optional<int64_t> max_khz) {
  double factor = 1.0;
  const ThrottleFlags& now = throttle.now;
  if (now.freq_capped || now.throttled || now.soft_temp_limit) {
    if (cur_khz && max_khz && *cur_khz > 0 && *max_khz > 0) {
      factor = std::min(1.0, static_cast<double>(*cur_khz) / static_cast<double>(*max_khz));
    } else {
      factor = kThrottleFactorUnknownClock;
    }
  }
  if (now.under_voltage) factor *= kUnderVoltagePenalty;
  return std::max(factor, kThrottleFactorFloor);
}

double QuotaShare(std::optional<double> quota_cores, int online_cores) {
  PIFLEET_ASSERT(online_cores > 0);
  if (!quota_cores || *quota_cores <= 0.0) return 1.0;
  return std::min(1.0, *quota_cores / static_cast<double>(online_cores));
}

Capacity ComputeCapacity(const ProbeSnapshot& snapshot, double core_speed_mops) {
  PIFLEET_ASSERT(core_speed_mops > 0.0);
  Capacity out;
  out.cores = snapshot.cpu.online_cores;
  out.core_speed_mops = core_speed_mops;
  out.thermal_factor = ThermalFactor(snapshot.thermal.max_milli_c);
  out.throttle_factor =
      ThrottleFactor(snapshot.throttle, snapshot.cpu.cur_khz, snapshot.cpu.max_khz);
  out.quota_share = QuotaShare(snapshot.cgroup.quota_cores, out.cores);
  out.value_mops =
      out.cores * out.core_speed_mops * out.thermal_factor * out.throttle_factor * out.quota_share;
  PIFLEET_ASSERT(out.value_mops > 0.0);
  return out;
}

}  // namespace pifleet::hal
