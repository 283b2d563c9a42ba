#include "hal/cgroup_probe.h"

#include "hal/constants.h"
#include "hal/sysfs_file.h"

namespace pifleet::hal {

std::optional<double> ParseCpuMax(std::string_view text) {
  text = Trim(text);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view quota = text.substr(0, space);
  if (quota == "max") return std::nullopt;
  const auto quota_us = ParseInt(quota);
  const auto period_us = ParseInt(text.substr(space + 1));
  if (!quota_us || !period_us || *quota_us <= 0 || *period_us <= 0) return std::nullopt;
  return static_cast<double>(*quota_us) / static_cast<double>(*period_us);
}

namespace {

std::optional<std::string> UnifiedPath(const std::string& sysroot) {
  const auto text = ReadFile(JoinSysroot(sysroot, "proc/self/cgroup"));
  if (!text) return std::nullopt;
  std::string_view rest(*text);
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (line.rfind("0::", 0) == 0) return std::string(Trim(line.substr(3)));
  }
  return std::nullopt;
}

}  // namespace

CgroupReading ReadCgroup(const std::string& sysroot) {
  CgroupReading out;
  const auto path = UnifiedPath(sysroot);
  if (!path) return out;
  out.cgroup_v2 = true;
  out.path = path->empty() ? "/" : *path;
  // Hybrid hierarchies (systemd's older default) mount cgroup v2 at /sys/fs/cgroup/unified.
  std::string mount = "sys/fs/cgroup";
  if (!ReadFile(JoinSysroot(sysroot, mount + "/cgroup.controllers")) &&
      ReadFile(JoinSysroot(sysroot, mount + "/unified/cgroup.controllers"))) {
    mount += "/unified";
  }
  // Walk from this cgroup up to the root: a parent's quota caps every child.
  std::string dir = out.path;
  for (int depth = 0; depth <= kCgroupDepthMax; ++depth) {
    const std::string file = JoinSysroot(sysroot, mount + (dir == "/" ? "" : dir) + "/cpu.max");
    const auto line = ReadLine(file);
    const auto quota = line ? ParseCpuMax(*line) : std::nullopt;
    if (quota && (!out.quota_cores || *quota < *out.quota_cores)) {
      out.quota_cores = quota;
      out.quota_from = file;
    }
    if (dir == "/" || dir.empty()) break;
    const auto slash = dir.find_last_of('/');
    dir = slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
  }
  return out;
}

}  // namespace pifleet::hal
