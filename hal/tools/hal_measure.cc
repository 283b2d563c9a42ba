// pifleet_hal_measure [SYSROOT]: prints the calibration's spread over 10 runs and the CPU cost
// of the probe loop and the LED loop, extrapolated to an hour at the rates the agent runs them.
// A measurement tool, not a test: timings never go into unit tests.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "hal/calibration.h"
#include "hal/capacity.h"
#include "hal/capacity_publisher.h"
#include "hal/led_controller.h"
#include "hal/node_role.h"
#include "hal/probes.h"
#include "hal/sysfs_file.h"
#include "hal/sysfs_led.h"

namespace pifleet::hal {
namespace {

constexpr int kCalibrationRuns = 10;
constexpr int kProbeIterations = 2000;
constexpr int kLedIterations = 20000;
constexpr double kProbesPerHour = 3600;          // one snapshot a second
constexpr double kStatusChangesPerHour = 72000;  // worst case: identify, 20 changes a second
constexpr double kLeaderChangesPerHour = 3600;   // leader: on 1900, off 100
// The agent toggles on every leader heartbeat: the core's Active, every 5 ticks of 10 ms.
constexpr double kHeartbeatsPerHour = 72000;
constexpr double kAgentTicksPerHour = 360000;  // the agent looks at its role every 10 ms tick
constexpr int kAgentTickIterations = 200000;

bool WriteNewFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = std::fputs(text.c_str(), f) >= 0;
  return std::fclose(f) == 0 && ok;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void MeasureCalibration() {
  std::vector<double> speeds;
  speeds.reserve(kCalibrationRuns);
  for (int i = 0; i < kCalibrationRuns; ++i) speeds.push_back(CalibrateNow().core_speed_mops);
  const auto [lo, hi] = std::minmax_element(speeds.begin(), speeds.end());
  double sum = 0;
  for (double s : speeds) sum += s;
  const double mean = sum / speeds.size();
  std::printf("calibration (%d runs, Mops per core):", kCalibrationRuns);
  for (double s : speeds) std::printf(" %.1f", s);
  std::printf("\n  min %.1f  max %.1f  mean %.1f  spread (max-min)/mean %.1f%%\n", *lo, *hi, mean,
              100.0 * (*hi - *lo) / mean);
}

// The probe loop as `pifleet hal` reads (searching every time) and as the agent does (Prober).
void MeasureProbes(const std::string& sysroot) {
  for (const bool agent : {false, true}) {
    LoadProbe load;
    Prober prober(sysroot);
    CapacityPublisher publisher([](double) {});
    const double start = CpuSeconds();
    for (int i = 0; i < kProbeIterations; ++i) {
      const ProbeSnapshot snapshot = agent ? prober.Read() : ReadProbes(sysroot, &load);
      publisher.Offer(static_cast<uint64_t>(i) * 1000, ComputeCapacity(snapshot, 100.0).value_mops);
    }
    const double per_iteration = (CpuSeconds() - start) / kProbeIterations;
    std::printf("probe loop, %s (%s): %.1f us CPU per snapshot -> %.1f ms CPU per hour at 1 Hz\n",
                agent ? "the agent's Prober" : "every file searched", sysroot.c_str(),
                per_iteration * 1e6, per_iteration * kProbesPerHour * 1e3);
  }
}

bool MakeFakeLed(const std::string& root) {
  const std::string dir = JoinSysroot(root, "sys/class/leds/ACT");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return false;
  for (const char* file : {"trigger", "brightness", "max_brightness", "delay_on", "delay_off"}) {
    const std::string value = std::string(file) == "trigger" ? "none timer [mmc0]\n" : "1\n";
    if (!WriteNewFile(dir + "/" + file, value)) return false;
  }
  return true;
}

// What the agent does on each 10 ms tick (AgentHal::Tick without the probes): the role from
// its view, and a status LED step only when one is due or the pattern changed.
void MeasureAgentTicks(LedDriver* led) {
  for (const bool leader : {false, true}) {
    LedController controller(led, nullptr);
    NodeView view;
    view.started = view.has_core = view.member = view.voter = view.heard_any_peer = true;
    view.leader = leader;
    view.leader_silent_ms = 20;
    view.voters_total = view.voters_alive = 3;
    uint64_t now_ms = 0;
    uint64_t next_ms = 0;
    const double start = CpuSeconds();
    for (int i = 0; i < kAgentTickIterations; ++i, now_ms += 10) {
      controller.SetRole(RoleOf(view));
      if (now_ms >= next_ms || controller.Desired(now_ms) != controller.active()) {
        next_ms = controller.Tick(now_ms);
      }
    }
    const double per_tick = (CpuSeconds() - start) / kAgentTickIterations;
    std::printf("  %.3f us CPU per agent tick as %s -> %.1f ms per hour at 100 ticks/s\n",
                per_tick * 1e6, leader ? "leader" : "follower",
                per_tick * kAgentTicksPerHour * 1e3);
  }
}

void MeasureLeds() {
  char root[] = "/tmp/pifleet-hal-measure-XXXXXX";
  if (mkdtemp(root) == nullptr) return;
  std::unique_ptr<SysfsLed> led;
  if (!MakeFakeLed(root) || !SysfsLed::Open(root, "ACT", &led).ok()) {
    std::printf("LED loop: cannot create a temporary LED tree in %s\n", root);
  } else {
    LedController controller(led.get(), led.get());
    controller.SetRole(Role::kLeader);
    controller.Identify(0, kIdentifySecondsMax);  // a strobe: every tick changes the level
    uint64_t now_ms = 0;
    const double start = CpuSeconds();
    for (int i = 0; i < kLedIterations; ++i) now_ms = controller.Tick(now_ms);
    const double per_change = (CpuSeconds() - start) / kLedIterations;
    const double hb_start = CpuSeconds();
    for (int i = 0; i < kLedIterations; ++i) controller.OnLeaderHeartbeat();
    const double per_heartbeat = (CpuSeconds() - hb_start) / kLedIterations;
    std::printf("LED loop (sysfs files under %s):\n", root);
    std::printf(
        "  %.1f us CPU per status change -> %.1f ms per hour for identify (20/s), "
        "%.1f ms per hour for leader (1/s)\n",
        per_change * 1e6, per_change * kStatusChangesPerHour * 1e3,
        per_change * kLeaderChangesPerHour * 1e3);
    std::printf("  %.1f us CPU per heartbeat toggle -> %.1f ms per hour at 20 heartbeats/s\n",
                per_heartbeat * 1e6, per_heartbeat * kHeartbeatsPerHour * 1e3);
    MeasureAgentTicks(led.get());
  }
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
}

}  // namespace
}  // namespace pifleet::hal

int main(int argc, char** argv) {
  const std::string sysroot = argc > 1 ? argv[1] : "/";
  pifleet::hal::MeasureCalibration();
  pifleet::hal::MeasureProbes(sysroot);
  pifleet::hal::MeasureLeds();
  return 0;
}
