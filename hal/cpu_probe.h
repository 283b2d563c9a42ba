// Online cores and clock: /sys/devices/system/cpu/online ("0-3"), and cpufreq
// scaling_cur_freq / cpuinfo_max_freq in kHz of the first online core (all cores of a Pi share
// one cpufreq policy).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pifleet::hal {

struct CpuReading {
  int online_cores = 1;
  std::string online_source;  // "sysfs", "proc-stat" or "default"
  std::optional<int64_t> cur_khz;
  std::optional<int64_t> max_khz;
  std::string freq_source;  // "cpufreq", "cpuinfo-mhz" (current only) or "none"
};

// The files a reading opens: the online list, and the first online core's cpufreq files that
// exist ("" for one that does not: x86 VMs have no cpufreq, and trying its files every second
// would cost two failed opens each time).
struct CpuFiles {
  std::string sysroot;
  std::string cur_khz;  // .../cpufreq/scaling_cur_freq
  std::string max_khz;  // .../cpufreq/cpuinfo_max_freq
};
CpuFiles FindCpuFiles(const std::string& sysroot);

// Without cpufreq, `cpuinfo_clock` reads the current clock from /proc/cpuinfo instead. That is
// for people (`pifleet hal`): capacity cannot use a clock without its maximum, and on x86
// reading /proc/cpuinfo interrupts every core.
CpuReading ReadCpu(const CpuFiles& files, bool cpuinfo_clock);
// Both: finds the files, then reads them.
CpuReading ReadCpu(const std::string& sysroot, bool cpuinfo_clock = true);

// "0-3" -> 4, "0,2-3" -> 3; nullopt when malformed. `first` gets the lowest listed core.
std::optional<int> CountCpuList(std::string_view list, int* first);

}  // namespace pifleet::hal
