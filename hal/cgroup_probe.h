// The CPU quota of this process under cgroup v2: the "0::<path>" line of /proc/self/cgroup,
// then cpu.max ("max 100000" or "<quota_us> <period_us>") of that cgroup and every ancestor
// under /sys/fs/cgroup; the tightest one wins.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pifleet::hal {

struct CgroupReading {
  bool cgroup_v2 = false;  // a "0::" line was found
  std::string path;        // "/system.slice/pifleet.service"
  // Cores' worth of CPU time allowed; nullopt when unlimited or unknown.
  std::optional<double> quota_cores;
  std::string quota_from;  // the cpu.max file that set quota_cores
};

// "200000 100000" -> 2.0; "max 100000" -> nullopt; malformed -> nullopt.
std::optional<double> ParseCpuMax(std::string_view text);

CgroupReading ReadCgroup(const std::string& sysroot);

}  // namespace pifleet::hal
