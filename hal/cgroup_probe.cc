#include "hal/cgroup_probe.h"

#include <vector>

#include "hal/constants.h"
#include "hal/sysfs_file.h"

namespace pifleet::hal {

std::optional<double> ParseCpuMax(std::string_view text) {
  text = Trim(text);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view quota = text.substr(0, space);
  if (quota == "max") return std::nullopt;
  return ParseCfsQuota(quota, text.substr(space + 1));
}

std::optional<double> ParseCfsQuota(std::string_view quota_us, std::string_view period_us) {
  const auto quota = ParseInt(Trim(quota_us));
  const auto period = ParseInt(Trim(period_us));
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;  // -1: unlimited
  return static_cast<double>(*quota) / static_cast<double>(*period);
}

namespace {

// Splits on `sep`, skipping nothing: "a,b" -> {"a", "b"}.
std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

bool HasToken(std::string_view list, std::string_view token) {
  for (const std::string_view item : Split(list, ',')) {
    if (item == token) return true;
  }
  return false;
}

// mountinfo escapes spaces and the like as octal: "\040".
std::string Unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const std::string_view digits = text.substr(i + 1, 3);
    if (text[i] == '\\' && digits.size() == 3 &&
        digits.find_first_not_of("01234567") == std::string_view::npos) {
      out.push_back(
          static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0')));
      i += 3;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

struct ProcCgroups {
  std::optional<std::string> unified;  // the "0::" path
  std::optional<std::string> v1_cpu;   // the path of the hierarchy with the cpu controller
};

ProcCgroups ReadProcCgroups(const std::string& sysroot) {
  ProcCgroups out;
  const auto text = ReadFile(JoinSysroot(sysroot, "proc/self/cgroup"));
  if (!text) return out;
  for (const std::string_view line : Split(*text, '\n')) {
    const auto first = line.find(':');
    const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view id = line.substr(0, first);
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string path(Trim(line.substr(second + 1)));
    if (id == "0" && controllers.empty()) out.unified = path.empty() ? "/" : path;
    if (HasToken(controllers, "cpu")) out.v1_cpu = path.empty() ? "/" : path;
  }
  return out;
}

// Visits `dir` and each ancestor up to "/": a parent's quota caps every child.
template <typename Visit>
void WalkUp(std::string dir, Visit visit) {
  for (int depth = 0; depth <= kCgroupDepthMax; ++depth) {
    visit(dir == "/" ? std::string() : dir);
    if (dir == "/" || dir.empty()) return;
    const auto slash = dir.find_last_of('/');
    dir = slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
  }
}

void Tighten(CgroupReading& out, std::optional<double> quota, const std::string& file) {
  if (quota && (!out.quota_cores || *quota < *out.quota_cores)) {
    out.quota_cores = quota;
    out.quota_from = file;
  }
}

std::vector<std::string> FindV2Dirs(const std::string& sysroot, const std::string& path) {
  // Hybrid hierarchies (systemd's older default) mount cgroup v2 at /sys/fs/cgroup/unified.
  std::string mount = "sys/fs/cgroup";
  if (!ReadFile(JoinSysroot(sysroot, mount + "/cgroup.controllers")) &&
      ReadFile(JoinSysroot(sysroot, mount + "/unified/cgroup.controllers"))) {
    mount += "/unified";
  }
  // Only the directories that have the file: the root cgroup never has cpu.max, and the probe
  // would try it every second.
  std::vector<std::string> dirs;
  WalkUp(path, [&](const std::string& dir) {
    std::string at = JoinSysroot(sysroot, mount + dir);
    if (Readable(at + "/cpu.max")) dirs.push_back(std::move(at));
  });
  return dirs;
}

// Where the v1 cpu hierarchy is mounted: mountinfo, else the usual places.
std::optional<CgroupMount> CpuV1Mount(const std::string& sysroot) {
  if (const auto info = ReadFile(JoinSysroot(sysroot, "proc/self/mountinfo"))) {
    return FindCpuV1Mount(*info);
  }
  for (const char* dir : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
    if (ReadLine(JoinSysroot(sysroot, std::string(dir) + "/cpu.cfs_period_us"))) {
      return CgroupMount{"/", dir};
    }
  }
  return std::nullopt;
}

std::vector<std::string> FindV1Dirs(const std::string& sysroot, const std::string& path) {
  const auto mount = CpuV1Mount(sysroot);
  if (!mount) return {};
  // A container sees its own cgroup as the mount's root: strip that prefix from the path.
  std::string dir = path;
  if (mount->root != "/" && dir.rfind(mount->root, 0) == 0) dir = dir.substr(mount->root.size());
  if (dir.empty()) dir = "/";
  std::vector<std::string> dirs;
  WalkUp(dir, [&](const std::string& at) {
    std::string path_at = JoinSysroot(sysroot, mount->mount_point + at);
    if (Readable(path_at + "/cpu.cfs_quota_us")) dirs.push_back(std::move(path_at));
  });
  return dirs;
}

}  // namespace

std::optional<CgroupMount> FindCpuV1Mount(std::string_view mountinfo) {
  for (const std::string_view line : Split(mountinfo, '\n')) {
    const auto dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    const std::vector<std::string_view> before = Split(line.substr(0, dash), ' ');
    const std::vector<std::string_view> after = Split(line.substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3 || after[0] != "cgroup") continue;
    if (!HasToken(after[2], "cpu")) continue;
    return CgroupMount{Unescape(before[3]), Unescape(before[4])};
  }
  return std::nullopt;
}

CgroupFiles FindCgroupFiles(const std::string& sysroot) {
  CgroupFiles out;
  const ProcCgroups paths = ReadProcCgroups(sysroot);
  if (paths.unified) {
    out.cgroup_v2 = true;
    out.path = *paths.unified;
    out.v2_dirs = FindV2Dirs(sysroot, out.path);
  }
  if (paths.v1_cpu) {
    out.v1_cpu_path = *paths.v1_cpu;
    out.v1_dirs = FindV1Dirs(sysroot, out.v1_cpu_path);
  }
  return out;
}

CgroupReading ReadCgroup(const CgroupFiles& files) {
  CgroupReading out;
  out.cgroup_v2 = files.cgroup_v2;
  out.path = files.path;
  out.v1_cpu_path = files.v1_cpu_path;
  for (const std::string& dir : files.v2_dirs) {
    const std::string file = dir + "/cpu.max";
    const auto line = ReadLine(file);
    Tighten(out, line ? ParseCpuMax(*line) : std::nullopt, file);
  }
  for (const std::string& dir : files.v1_dirs) {
    const auto quota = ReadLine(dir + "/cpu.cfs_quota_us");
    const auto period = ReadLine(dir + "/cpu.cfs_period_us");
    Tighten(out, quota && period ? ParseCfsQuota(*quota, *period) : std::nullopt,
            dir + "/cpu.cfs_quota_us");
  }
  return out;
}

CgroupReading ReadCgroup(const std::string& sysroot) {
  return ReadCgroup(FindCgroupFiles(sysroot));
}

}  // namespace pifleet::hal
