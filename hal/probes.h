// One reading of every probe under a sysroot: what `pifleet hal` prints and capacity uses.
#pragma once

#include <optional>
#include <string>

#include "hal/cgroup_probe.h"
#include "hal/cpu_probe.h"
#include "hal/identity_probe.h"
#include "hal/load_probe.h"
#include "hal/memory_probe.h"
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

// `load` keeps the /proc/stat sample between calls; the caller owns it. `identity`, when given,
// is used instead of reading the board's model and serial again (they do not change while a
// process runs, and /proc/cpuinfo costs an interrupt to every core on x86).
ProbeSnapshot ReadProbes(const std::string& sysroot, LoadProbe* load,
                         const IdentityReading* identity = nullptr);

}  // namespace pifleet::hal
