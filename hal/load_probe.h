// CPU load from /proc/stat deltas: the busy share of all cores between two samples.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pifleet::hal {

// The aggregate "cpu" line of /proc/stat, in USER_HZ ticks.
struct CpuTimes {
  uint64_t total_ticks = 0;
  uint64_t idle_ticks = 0;  // idle + iowait
};

std::optional<CpuTimes> ParseProcStat(std::string_view text);

// Busy share in [0, 1] between two samples; nullopt when no tick elapsed or the counters went
// backwards (a counter reset, or a different file).
std::optional<double> BusyShare(const CpuTimes& before, const CpuTimes& after);

class LoadProbe {
 public:
  // The busy share since the previous call; nullopt on the first call or on a bad read.
  std::optional<double> Sample(const std::string& sysroot);

 private:
  std::optional<CpuTimes> previous_;
};

}  // namespace pifleet::hal
