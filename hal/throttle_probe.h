// Firmware throttling bits. Sources differ by kernel (notes/raspberry-pi.md §4):
//  - Raspberry Pi OS kernel: /sys/devices/platform/soc/soc:firmware/get_throttled, "%x\n";
//    bits 0-3 now (under-voltage, frequency capped, throttled, soft temperature limit) and
//    bits 16-19 the same since boot.
//  - mainline: only hwmon "rpi_volt" with in0_lcrit_alarm (the sticky under-voltage bit 16).
//  - Debian bookworm's kernel: neither; capping is inferred from clock and load (capacity.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pifleet::hal {

enum class ThrottleSource { kFirmware, kHwmon, kInferred, kNone };
const char* ThrottleSourceName(ThrottleSource source);

struct ThrottleFlags {
  bool under_voltage = false;
  bool freq_capped = false;
  bool throttled = false;
  bool soft_temp_limit = false;
  bool any() const { return under_voltage || freq_capped || throttled || soft_temp_limit; }
};

struct ThrottleReading {
  ThrottleSource source = ThrottleSource::kNone;
  std::optional<uint32_t> raw;  // the get_throttled word, when the firmware gave one
  ThrottleFlags now;
  ThrottleFlags since_boot;
  // The firmware gave no capping bits, so now.freq_capped comes from InferCapping.
  bool capping_inferred = false;
};

inline constexpr uint32_t kThrottleUnderVoltage = 1u << 0;
inline constexpr uint32_t kThrottleFreqCapped = 1u << 1;
inline constexpr uint32_t kThrottleThrottled = 1u << 2;
inline constexpr uint32_t kThrottleSoftTempLimit = 1u << 3;
inline constexpr int kThrottleSinceBootShift = 16;

ThrottleReading DecodeThrottled(uint32_t raw);

// Where the throttle state is read from: the firmware's get_throttled word (soc/soc:firmware,
// then any soc*/*:firmware), else the rpi_volt hwmon's in0_lcrit_alarm; kNone when neither
// gives a value.
struct ThrottleFile {
  ThrottleSource source = ThrottleSource::kNone;  // kFirmware, kHwmon or kNone
  std::string path;
};
ThrottleFile FindThrottle(const std::string& sysroot);
// The state now, from that file (kNone when it no longer reads).
ThrottleReading ReadThrottle(const ThrottleFile& file);
// Both: finds the file, then reads it.
ThrottleReading ReadThrottle(const std::string& sysroot);

// Without firmware bits: a core busy at least kInferLoadMin and clocked below kInferFreqRatioMax
// of its maximum counts as capped (schedutil runs an idle Pi slow, so only a busy one tells).
// No-op for a firmware reading or when clock or load is unknown.
void InferCapping(std::optional<int64_t> cur_khz, std::optional<int64_t> max_khz,
                  std::optional<double> busy_share, ThrottleReading* reading);

}  // namespace pifleet::hal
