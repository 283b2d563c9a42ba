// The CPU quota of this process, from cgroup v2 and cgroup v1 alike (older hosts and containers
// still run v1; so does this build machine), the tightest one on the path winning:
// - v2: the "0::<path>" line of /proc/self/cgroup, then cpu.max ("max 100000" or
//   "<quota_us> <period_us>") of that cgroup and every ancestor under /sys/fs/cgroup;
// - v1: the "<id>:...cpu...:<path>" line, the cpu controller's mount from
//   /proc/self/mountinfo, then cpu.cfs_quota_us / cpu.cfs_period_us of that cgroup and every
//   ancestor (quota -1: unlimited).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pifleet::hal {

struct CgroupReading {
  bool cgroup_v2 = false;   // a "0::" line was found
  std::string path;         // v2: "/system.slice/pifleet.service"
  std::string v1_cpu_path;  // v1 cpu controller: "/docker/4f2a" ("" when none)
  // Cores' worth of CPU time allowed; nullopt when unlimited or unknown.
  std::optional<double> quota_cores;
  std::string quota_from;  // the cpu.max or cpu.cfs_quota_us file that set quota_cores
};

// "200000 100000" -> 2.0; "max 100000" -> nullopt; malformed -> nullopt.
std::optional<double> ParseCpuMax(std::string_view text);
// cgroup v1: ("40000", "100000") -> 0.4; ("-1", "100000") -> nullopt; malformed -> nullopt.
std::optional<double> ParseCfsQuota(std::string_view quota_us, std::string_view period_us);

// The cpu controller's v1 mount point and its root from mountinfo's text: the line whose
// filesystem is "cgroup" with "cpu" among its super options ("32 31 0:29 / /sys/fs/cgroup/cpu
// rw - cgroup cgroup rw,cpu" -> {"/", "/sys/fs/cgroup/cpu"}).
struct CgroupMount {
  std::string root;
  std::string mount_point;
};
std::optional<CgroupMount> FindCpuV1Mount(std::string_view mountinfo);

// The directories whose quota files bound this process: its cgroup and every ancestor, found
// from /proc/self/cgroup and (v1) mountinfo.
struct CgroupFiles {
  bool cgroup_v2 = false;
  std::string path;
  std::string v1_cpu_path;
  std::vector<std::string> v2_dirs;  // each holds cpu.max
  std::vector<std::string> v1_dirs;  // each holds cpu.cfs_quota_us and cpu.cfs_period_us
};
CgroupFiles FindCgroupFiles(const std::string& sysroot);
// The quota those files give now.
CgroupReading ReadCgroup(const CgroupFiles& files);
// Both: finds the files, then reads them.
CgroupReading ReadCgroup(const std::string& sysroot);

}  // namespace pifleet::hal
