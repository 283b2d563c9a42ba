// One reading of every probe under a sysroot: what `pifleet hal` prints and capacity uses.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hal/cgroup_probe.h"
#include "hal/cpu_probe.h"
#include "hal/identity_probe.h"
#include "hal/load_probe.h"
#include "hal/memory_probe.h"
#include "hal/sysfs_file.h"
#include "hal/thermal_probe.h"
#include "hal/throttle_probe.h"

namespace pifleet::hal {

struct ProbeSnapshot {
  std::string sysroot;
  ThermalReading thermal;
  CpuReading cpu;
  std::optional<double> busy_share;  // since the previous snapshot; nullopt on the first
  MemoryReading memory;
  CgroupReading cgroup;
  ThrottleReading throttle;  // capping inferred from clock and load when the firmware is silent
  IdentityReading identity;
};

// Every probe, searched for and read: `pifleet hal`. `load` keeps the /proc/stat sample
// between calls; the caller owns it.
ProbeSnapshot ReadProbes(const std::string& sysroot, LoadProbe* load);

// The agent's probes, read once a second. What it finds by searching (the thermal zones, the
// throttle word's file, its cgroup's quota files from /proc/self/cgroup and mountinfo) it
// searches for again only every kProbeRescanReadings readings, and the board's identity it reads
// once; the readings between read only the values. It never reads /proc/cpuinfo's clock
// (ReadCpu). Before, an idle agent's probes made half of its system calls (docs/hal.md).
class Prober {
 public:
  explicit Prober(std::string sysroot) : sysroot_(std::move(sysroot)) {}

  ProbeSnapshot Read();

 private:
  std::string sysroot_;
  LoadProbe load_;
  uint64_t readings_ = 0;
  std::optional<IdentityReading> identity_;
  std::vector<ThermalZoneFile> zones_;
  ThrottleFile throttle_;
  CgroupFiles cgroup_;
  CpuFiles cpu_;
  OpenFileCache files_;  // the files the readings between two searches open
};

}  // namespace pifleet::hal
