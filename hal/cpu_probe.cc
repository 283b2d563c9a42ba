#include "hal/cpu_probe.h"

#include <cmath>
#include <cstdlib>
#include <utility>

#include "hal/constants.h"
#include "hal/sysfs_file.h"

namespace pifleet::hal {

std::optional<int> CountCpuList(std::string_view list, int* first) {
  list = Trim(list);
  int count = 0;
  int lowest = kCpusMax;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view range = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    const auto dash = range.find('-');
    const auto lo = ParseInt(range.substr(0, dash));
    const auto hi = dash == std::string_view::npos ? lo : ParseInt(range.substr(dash + 1));
    if (!lo || !hi || *lo < 0 || *hi < *lo || *hi >= kCpusMax) return std::nullopt;
    count += static_cast<int>(*hi - *lo + 1);
    if (*lo < lowest) lowest = static_cast<int>(*lo);
    if (count > kCpusMax) return std::nullopt;
  }
  if (count == 0) return std::nullopt;
  if (first != nullptr) *first = lowest;
  return count;
}

namespace {

// Counts the "cpuN" lines of /proc/stat: the online cores when sysfs is not mounted.
std::optional<int> CountProcStatCpus(const std::string& sysroot) {
  const auto text = ReadFile(JoinSysroot(sysroot, "proc/stat"));
  if (!text) return std::nullopt;
  int count = 0;
  std::string_view rest(*text);
  while (!rest.empty() && count < kCpusMax) {
    const auto eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (line.size() > 3 && line.rfind("cpu", 0) == 0 && line[3] >= '0' && line[3] <= '9') {
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  return count;
}

// x86 and most VMs have no cpufreq; /proc/cpuinfo's "cpu MHz" is still the current clock.
std::optional<int64_t> CpuinfoMhzAsKhz(const std::string& sysroot) {
  const auto text = ReadFile(JoinSysroot(sysroot, "proc/cpuinfo"));
  if (!text) return std::nullopt;
  const auto at = text->find("cpu MHz");
  if (at == std::string::npos) return std::nullopt;
  const auto colon = text->find(':', at);
  const auto eol = text->find('\n', at);
  if (colon == std::string::npos || (eol != std::string::npos && colon > eol)) return std::nullopt;
  const std::string value(Trim(std::string_view(*text).substr(colon + 1, eol - colon - 1)));
  char* end = nullptr;
  const double mhz = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || !(mhz > 0.0) || mhz > 1e6) return std::nullopt;
  return static_cast<int64_t>(std::llround(mhz * 1000.0));
}

// Sets out->online_cores and online_source from sysfs, else /proc/stat; returns the lowest
// online core (0 when unknown).
int ReadOnlineCores(const std::string& sysroot, CpuReading* out) {
  int first = 0;
  const auto online = ReadLine(JoinSysroot(sysroot, "sys/devices/system/cpu/online"));
  if (auto count = online ? CountCpuList(*online, &first) : std::nullopt) {
    out->online_cores = *count;
    out->online_source = "sysfs";
  } else if (auto stat_count = CountProcStatCpus(sysroot)) {
    out->online_cores = *stat_count;
    out->online_source = "proc-stat";
  } else {
    out->online_source = "default";
  }
  return first;
}

std::string IfReadable(std::string path) { return Readable(path) ? std::move(path) : ""; }

}  // namespace

CpuFiles FindCpuFiles(const std::string& sysroot) {
  CpuReading online;
  const int first = ReadOnlineCores(sysroot, &online);
  const std::string cpufreq =
      JoinSysroot(sysroot, "sys/devices/system/cpu/cpu" + std::to_string(first) + "/cpufreq/");
  return {sysroot, IfReadable(cpufreq + "scaling_cur_freq"),
          IfReadable(cpufreq + "cpuinfo_max_freq")};
}

CpuReading ReadCpu(const CpuFiles& files, bool cpuinfo_clock) {
  CpuReading out;
  ReadOnlineCores(files.sysroot, &out);
  if (!files.cur_khz.empty()) out.cur_khz = ReadInt(files.cur_khz);
  if (!files.max_khz.empty()) out.max_khz = ReadInt(files.max_khz);
  if (out.cur_khz || out.max_khz) {
    out.freq_source = "cpufreq";
  } else if (cpuinfo_clock && (out.cur_khz = CpuinfoMhzAsKhz(files.sysroot))) {
    out.freq_source = "cpuinfo-mhz";
  } else {
    out.freq_source = "none";
  }
  return out;
}

CpuReading ReadCpu(const std::string& sysroot, bool cpuinfo_clock) {
  return ReadCpu(FindCpuFiles(sysroot), cpuinfo_clock);
}

}  // namespace pifleet::hal
