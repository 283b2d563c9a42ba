// pifleet_hal_measure [SYSROOT]: prints the calibration's spread over 10 runs and the CPU cost
// of the probe loop and the LED loop, extrapolated to an hour at the rates the agent runs them.
// A measurement tool, not a test: timings never go into unit tests.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hal/calibration.h"
#include "hal/capacity.h"
#include "hal/capacity_publisher.h"
#include "hal/led_controller.h"
#include "hal/probes.h"
#include "hal/sysfs_file.h"
#include "hal/sysfs_led.h"

namespace {

using namespace pifleet::hal;

constexpr int kCalibrationRuns = 10;
constexpr int kProbeIterations = 2000;
constexpr int kLedIterations = 20000;
constexpr double kProbesPerHour = 3600;          // one snapshot a second
constexpr double kStatusChangesPerHour = 72000;  // worst case: identify, 20 changes a second
constexpr double kHeartbeatsPerHour = 36000;     // one leader heartbeat every 100 ms

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void MeasureCalibration() {
  std::vector<double> speeds;
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

void MeasureProbes(const std::string& sysroot) {
  LoadProbe load;
  CapacityPublisher publisher([](double) {});
  const double start = CpuSeconds();
  for (int i = 0; i < kProbeIterations; ++i) {
    const ProbeSnapshot snapshot = ReadProbes(sysroot, &load);
    publisher.Offer(static_cast<uint64_t>(i) * 1000, ComputeCapacity(snapshot, 100.0).value_mops);
  }
  const double per_iteration = (CpuSeconds() - start) / kProbeIterations;
  std::printf("probe loop (%s): %.1f us CPU per snapshot -> %.1f ms CPU per hour at 1 Hz\n",
              sysroot.c_str(), per_iteration * 1e6, per_iteration * kProbesPerHour * 1e3);
}

bool MakeFakeLed(const std::string& root) {
  const std::string dir = JoinSysroot(root, "sys/class/leds/ACT");
  if (std::system(("mkdir -p '" + dir + "'").c_str()) != 0) return false;
  for (const char* file : {"trigger", "brightness", "max_brightness", "delay_on", "delay_off"}) {
    FILE* f = std::fopen((dir + "/" + file).c_str(), "w");
    if (f == nullptr) return false;
    std::fputs(std::string(file) == "trigger" ? "none timer [mmc0]\n" : "1\n", f);
    std::fclose(f);
  }
  return true;
}

void MeasureLeds() {
  char root[] = "/tmp/pifleet-hal-measure-XXXXXX";
  if (mkdtemp(root) == nullptr || !MakeFakeLed(root)) {
    std::printf("LED loop: cannot create a temporary LED tree\n");
    return;
  }
  std::unique_ptr<SysfsLed> led;
  if (!SysfsLed::Open(root, "ACT", &led).ok()) return;
  LedController controller(led.get(), led.get());
  controller.SetRole(Role::kLeader);
  controller.Identify(0, kIdentifySecondsMax);
  uint64_t now_ms = 0;
  const double start = CpuSeconds();
  for (int i = 0; i < kLedIterations; ++i) now_ms = controller.Tick(now_ms);
  const double per_change = (CpuSeconds() - start) / kLedIterations;
  const double hb_start = CpuSeconds();
  for (int i = 0; i < kLedIterations; ++i) controller.OnLeaderHeartbeat();
  const double per_heartbeat = (CpuSeconds() - hb_start) / kLedIterations;
  std::printf("LED loop (sysfs files in %s):\n", root);
  std::printf("  %.1f us CPU per status change -> %.1f ms per hour at 20 changes/s\n",
              per_change * 1e6, per_change * kStatusChangesPerHour * 1e3);
  std::printf("  %.1f us CPU per heartbeat toggle -> %.1f ms per hour at 10 heartbeats/s\n",
              per_heartbeat * 1e6, per_heartbeat * kHeartbeatsPerHour * 1e3);
  std::system(("rm -rf '" + std::string(root) + "'").c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string sysroot = argc > 1 ? argv[1] : "/";
  MeasureCalibration();
  MeasureProbes(sysroot);
  MeasureLeds();
  return 0;
}
