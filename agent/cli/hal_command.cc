// `pifleet hal [--sysroot DIR] [--json]`: every probe, the calibration and the capacity with
// its factors, as the agent sees them on this machine (or under a fixture sysroot).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "agent/cli/command.h"
#include "agent/daemon/json_text.h"
#include "hal/calibration.h"
#include "hal/capacity.h"
#include "hal/probes.h"

namespace pifleet::cli {

namespace {

using ::pifleet::hal::CalibrateNow;
using ::pifleet::hal::Calibration;
using ::pifleet::hal::Capacity;
using ::pifleet::hal::ComputeCapacity;
using ::pifleet::hal::LoadProbe;
using ::pifleet::hal::ProbeSnapshot;
using ::pifleet::hal::ReadProbes;
using ::pifleet::hal::ThrottleFlags;
using ::pifleet::hal::ThrottleSourceName;

constexpr int kLoadWindowMs = 250;  // two /proc/stat samples this far apart give the load

template <typename T>
daemon::Json OrNull(const std::optional<T>& value) {
  return value ? daemon::Json(*value) : daemon::Json(nullptr);
}

daemon::Json FlagsJson(const ThrottleFlags& f) {
  return {{"under_voltage", f.under_voltage},
          {"freq_capped", f.freq_capped},
          {"throttled", f.throttled},
          {"soft_temp_limit", f.soft_temp_limit}};
}

std::string FlagsText(const ThrottleFlags& f) {
  if (!f.any()) return "none";
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += ", ";
    out += name;
  };
  add(f.under_voltage, "under-voltage");
  add(f.freq_capped, "frequency capped");
  add(f.throttled, "throttled");
  add(f.soft_temp_limit, "soft temperature limit");
  return out;
}

// Floats rounded as the text output rounds them (3 or 4 decimals).
double Rounded(double value, double scale) { return std::round(value * scale) / scale; }

void PrintJson(const ProbeSnapshot& s, const Calibration& cal, const Capacity& c) {
  using daemon::Json;
  Json zones = Json::array();
  for (const auto& z : s.thermal.zones) {
    zones.push_back({{"name", z.name}, {"type", z.type}, {"temp_milli_c", z.temp_milli_c}});
  }
  Json out;
  out["sysroot"] = s.sysroot;
  out["model"] = s.identity.model;
  out["model_source"] = s.identity.model_source;
  out["serial"] = s.identity.serial;
  out["serial_source"] = s.identity.serial_source;
  out["cpu"] = {{"online_cores", s.cpu.online_cores},
                {"online_source", s.cpu.online_source},
                {"cur_khz", OrNull(s.cpu.cur_khz)},
                {"max_khz", OrNull(s.cpu.max_khz)},
                {"freq_source", s.cpu.freq_source}};
  out["busy_share"] = OrNull(s.busy_share);
  out["memory"] = {{"total_bytes", OrNull(s.memory.total_bytes)},
                   {"available_bytes", OrNull(s.memory.available_bytes)}};
  out["thermal"] = {{"max_milli_c", OrNull(s.thermal.max_milli_c)}, {"zones", zones}};
  out["throttle"] = {{"source", ThrottleSourceName(s.throttle.source)},
                     {"raw", OrNull(s.throttle.raw)},
                     {"capping_inferred", s.throttle.capping_inferred},
                     {"now", FlagsJson(s.throttle.now)},
                     {"since_boot", FlagsJson(s.throttle.since_boot)}};
  out["cgroup"] = {{"v2", s.cgroup.cgroup_v2},
                   {"path", s.cgroup.path},
                   {"v1_cpu_path", s.cgroup.v1_cpu_path},
                   {"quota_cores", OrNull(s.cgroup.quota_cores)},
                   {"quota_from", s.cgroup.quota_from}};
  out["calibration"] = {{"iterations", cal.iterations},
                        {"best_ns", cal.best_ns},
                        {"core_speed_mops", Rounded(cal.core_speed_mops, 1e3)}};
  out["capacity"] = {{"value_mops", Rounded(c.value_mops, 1e3)},
                     {"cores", c.cores},
                     {"core_speed_mops", Rounded(c.core_speed_mops, 1e3)},
                     {"thermal_factor", Rounded(c.thermal_factor, 1e4)},
                     {"throttle_factor", Rounded(c.throttle_factor, 1e4)},
                     {"quota_share", Rounded(c.quota_share, 1e4)}};
  std::printf("%s\n", daemon::JsonText(out).c_str());
}

std::string Mhz(const std::optional<int64_t>& khz) {
  return khz ? std::to_string(*khz / 1000) + " MHz" : "?";
}

std::string Mib(const std::optional<uint64_t>& bytes) {
  return bytes ? std::to_string(*bytes >> 20) + " MiB" : "?";
}

void PrintText(const ProbeSnapshot& s, const Calibration& cal, const Capacity& c) {
  std::printf("model        %s  (%s)\n", s.identity.model.c_str(), s.identity.model_source.c_str());
  std::printf("serial       %s  (%s)\n", s.identity.serial.c_str(),
              s.identity.serial_source.c_str());
  std::printf("cores        %d online  (%s)\n", s.cpu.online_cores, s.cpu.online_source.c_str());
  std::printf("clock        %s of %s max  (%s)\n", Mhz(s.cpu.cur_khz).c_str(),
              Mhz(s.cpu.max_khz).c_str(), s.cpu.freq_source.c_str());
  if (s.busy_share) {
    std::printf("load         %.1f %% busy over %d ms  (/proc/stat)\n", *s.busy_share * 100,
                kLoadWindowMs);
  } else {
    std::printf("load         ?  (no /proc/stat delta)\n");
  }
  std::printf("memory       %s total, %s available\n", Mib(s.memory.total_bytes).c_str(),
              Mib(s.memory.available_bytes).c_str());
  if (s.thermal.zones.empty()) std::printf("temperature  ?  (no thermal zones)\n");
  for (const auto& z : s.thermal.zones) {
    std::printf("temperature  %.1f C  (%s, %s)\n", z.temp_milli_c / 1000.0, z.name.c_str(),
                z.type.c_str());
  }
  std::string source = ThrottleSourceName(s.throttle.source);
  if (s.throttle.raw) {
    char raw[32];
    std::snprintf(raw, sizeof(raw), ", get_throttled %x", *s.throttle.raw);
    source += raw;
  }
  if (s.throttle.capping_inferred) source += ", capping inferred from clock and load";
  std::printf("throttling   now: %s; since boot: %s  (%s)\n", FlagsText(s.throttle.now).c_str(),
              FlagsText(s.throttle.since_boot).c_str(), source.c_str());
  const std::string quota = s.cgroup.quota_cores ? std::to_string(*s.cgroup.quota_cores) +
                                                       " cores (" + s.cgroup.quota_from + ")"
                                                 : "none";
  const std::string where =
      (s.cgroup.cgroup_v2 ? "v2 " + s.cgroup.path : "no v2") +
      (s.cgroup.v1_cpu_path.empty() ? "" : ", v1 cpu " + s.cgroup.v1_cpu_path);
  std::printf("cgroup       %s; cpu quota %s\n", where.c_str(), quota.c_str());
  std::printf("calibration  %.1f Mops per core  (%u iterations, best %.2f ms)\n",
              cal.core_speed_mops, cal.iterations, cal.best_ns / 1e6);
  std::printf(
      "capacity     %.1f Mops = %d cores x %.1f Mops x thermal %.3f x throttle %.3f x quota "
      "%.3f\n",
      c.value_mops, c.cores, c.core_speed_mops, c.thermal_factor, c.throttle_factor, c.quota_share);
}

}  // namespace

void InstallHalCommand(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("hal", "Print every hardware probe and this node's capacity");
  auto sysroot = std::make_shared<std::string>("/");
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--sysroot", *sysroot, "Read /sys and /proc under DIR (fixtures, images)")
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("--json", *json, "Print one JSON object");
  cmd->callback([sysroot, json, &context] {
    LoadProbe load;
    (void)ReadProbes(*sysroot, &load);
    std::this_thread::sleep_for(std::chrono::milliseconds(kLoadWindowMs));
    const ProbeSnapshot snapshot = ReadProbes(*sysroot, &load);
    const Calibration calibration = CalibrateNow();
    const Capacity capacity = ComputeCapacity(snapshot, calibration.core_speed_mops);
    if (*json) {
      PrintJson(snapshot, calibration, capacity);
    } else {
      PrintText(snapshot, calibration, capacity);
    }
    context.exit_code = kExitOk;
  });
}

}  // namespace pifleet::cli
