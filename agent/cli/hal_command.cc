// `pifleet hal [--sysroot DIR] [--json]`: every probe, the calibration and the capacity with
// its factors, as the agent sees them on this machine (or under a fixture sysroot).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "agent/cli/command.h"
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

std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

template <typename T>
std::string OrNull(const std::optional<T>& value) {
  return value ? std::to_string(*value) : "null";
}

std::string FlagsJson(const ThrottleFlags& f) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  return std::string("{\"under_voltage\":") + b(f.under_voltage) +
         ",\"freq_capped\":" + b(f.freq_capped) + ",\"throttled\":" + b(f.throttled) +
         ",\"soft_temp_limit\":" + b(f.soft_temp_limit) + "}";
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

void PrintJson(const ProbeSnapshot& s, const Calibration& cal, const Capacity& c) {
  std::string zones;
  for (const auto& z : s.thermal.zones) {
    zones += (zones.empty() ? "" : ",") + std::string("{\"name\":") + Quote(z.name) +
             ",\"type\":" + Quote(z.type) + ",\"temp_milli_c\":" + std::to_string(z.temp_milli_c) +
             "}";
  }
  std::printf(
      "{\"sysroot\":%s,\"model\":%s,\"model_source\":%s,\"serial\":%s,\"serial_source\":%s,"
      "\"cpu\":{\"online_cores\":%d,\"online_source\":%s,\"cur_khz\":%s,\"max_khz\":%s,"
      "\"freq_source\":%s},\"busy_share\":%s,"
      "\"memory\":{\"total_bytes\":%s,\"available_bytes\":%s},"
      "\"thermal\":{\"max_milli_c\":%s,\"zones\":[%s]},"
      "\"throttle\":{\"source\":%s,\"raw\":%s,\"capping_inferred\":%s,\"now\":%s,"
      "\"since_boot\":%s},"
      "\"cgroup\":{\"v2\":%s,\"path\":%s,\"quota_cores\":%s},"
      "\"calibration\":{\"iterations\":%u,\"best_ns\":%llu,\"core_speed_mops\":%.3f},"
      "\"capacity\":{\"value_mops\":%.3f,\"cores\":%d,\"core_speed_mops\":%.3f,"
      "\"thermal_factor\":%.4f,\"throttle_factor\":%.4f,\"quota_share\":%.4f}}\n",
      Quote(s.sysroot).c_str(), Quote(s.identity.model).c_str(),
      Quote(s.identity.model_source).c_str(), Quote(s.identity.serial).c_str(),
      Quote(s.identity.serial_source).c_str(), s.cpu.online_cores,
      Quote(s.cpu.online_source).c_str(), OrNull(s.cpu.cur_khz).c_str(),
      OrNull(s.cpu.max_khz).c_str(), Quote(s.cpu.freq_source).c_str(), OrNull(s.busy_share).c_str(),
      OrNull(s.memory.total_bytes).c_str(), OrNull(s.memory.available_bytes).c_str(),
      OrNull(s.thermal.max_milli_c).c_str(), zones.c_str(),
      Quote(ThrottleSourceName(s.throttle.source)).c_str(), OrNull(s.throttle.raw).c_str(),
      s.throttle.capping_inferred ? "true" : "false", FlagsJson(s.throttle.now).c_str(),
      FlagsJson(s.throttle.since_boot).c_str(), s.cgroup.cgroup_v2 ? "true" : "false",
      Quote(s.cgroup.path).c_str(), OrNull(s.cgroup.quota_cores).c_str(), cal.iterations,
      static_cast<unsigned long long>(cal.best_ns), cal.core_speed_mops, c.value_mops, c.cores,
      c.core_speed_mops, c.thermal_factor, c.throttle_factor, c.quota_share);
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
  const std::string quota =
      s.cgroup.quota_cores ? std::to_string(*s.cgroup.quota_cores) + " cores" : "none";
  std::printf("cgroup       %s, cpu quota %s\n",
              s.cgroup.cgroup_v2 ? s.cgroup.path.c_str() : "(no cgroup v2)", quota.c_str());
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
