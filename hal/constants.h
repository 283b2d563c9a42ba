// Every bound and tuning constant of the hardware layer, in one place.
#pragma once

#include <cstdint>

namespace pifleet::hal {

// Reading sysfs/procfs: no file we read is larger than this (/proc/cpuinfo on a 4-core Pi is
// about 1.5 KiB; /proc/stat on a 192-thread server stays under 32 KiB).
inline constexpr std::size_t kProbeFileBytesMax = std::size_t{64} * 1024;
// An OpenFileCache holds at most this many files open (the Prober reads about 10 on a Pi; the
// bound keeps a deep cgroup path or many thermal zones from holding fds without end).
inline constexpr std::size_t kOpenProbeFilesMax = 32;
inline constexpr int kThermalZonesMax = 32;
inline constexpr int kCpusMax = 1024;
inline constexpr int kHwmonDevicesMax = 64;
inline constexpr int kCgroupDepthMax = 32;

// Capacity: thermal factor is 1 up to the soft limit and falls linearly to the floor at the hard
// limit. 80 C is where the Pi 4/5 firmware starts to throttle, 85 C where it throttles hard.
inline constexpr int32_t kThermalSoftLimitMilliC = 70000;
inline constexpr int32_t kThermalHardLimitMilliC = 85000;
inline constexpr double kThermalFactorFloor = 0.25;
// Throttle factor: the ratio of current to maximum clock while the firmware caps or throttles,
// never below the floor; under-voltage multiplies by its own penalty (the firmware caps the
// clock and the board may brown out under load).
inline constexpr double kThrottleFactorFloor = 0.25;
inline constexpr double kUnderVoltagePenalty = 0.5;
inline constexpr double kThrottleFactorUnknownClock = 0.5;
// Without firmware bits (Debian's kernel): the clock counts as capped when the CPU is this busy
// and runs below this share of its maximum.
inline constexpr double kInferLoadMin = 0.8;
inline constexpr double kInferFreqRatioMax = 0.9;

static_assert(kThermalSoftLimitMilliC < kThermalHardLimitMilliC);
static_assert(kThermalFactorFloor > 0.0 && kThermalFactorFloor <= 1.0);
static_assert(kThrottleFactorFloor > 0.0 && kThrottleFactorFloor <= 1.0);
static_assert(kUnderVoltagePenalty > 0.0 && kUnderVoltagePenalty <= 1.0);

// Publishing capacity to the members table: only when it moves by more than this fraction, and
// never more often than this interval.
inline constexpr double kCapacityPublishFraction = 0.10;
inline constexpr uint64_t kCapacityPublishIntervalMinMs = 10'000;

// Calibration: a fixed amount of integer work; about 2-5 ms on a Pi 4, well under 1 ms here.
inline constexpr uint32_t kCalibrationIterations = 2'000'000;
inline constexpr int kCalibrationRounds = 3;  // best of: filters out one preemption
// The longest gap between calibrations after start (CoreSpeed), in probe readings: about
// 17 minutes at one a second, so one round costs a millionth of the core's time.
inline constexpr uint64_t kRecalibrateReadingsMax = 1024;

// LEDs.
inline constexpr int kPatternStepsMax = 8;
inline constexpr uint32_t kPatternStepMsMax = 10'000;
inline constexpr uint32_t kIdentifySecondsDefault = 30;
inline constexpr uint32_t kIdentifySecondsMax = 3600;
inline constexpr uint32_t kGpioLineMax = 1023;

// The agent: probes and capacity once a second (the rate measured in docs/hal.md); a member that
// has had no leader heartbeat for this long shows no-quorum (the core suspects its leader after
// 300-600 ms, so a healthy failover is over well before).
inline constexpr uint64_t kProbeIntervalMs = 1000;
// The agent's Prober searches again for thermal zones, the throttle file, its cgroup's quota
// files and the cpufreq files every this many readings (a module that loads late, a service
// moved to another cgroup); between searches it reads only the files it found.
inline constexpr uint64_t kProbeRescanReadings = 60;
inline constexpr uint64_t kLeaderSilentMs = 1000;

}  // namespace pifleet::hal
