#include "hal/probes.h"

#include "agent/base/assert.h"
#include "hal/constants.h"

namespace pifleet::hal {

namespace {

// The readings that are never cached: load, memory, and capping inferred from them.
void ReadTheRest(const std::string& sysroot, LoadProbe* load, ProbeSnapshot* out) {
  out->sysroot = sysroot;
  out->busy_share = load->Sample(sysroot);
  out->memory = ReadMemory(sysroot);
  InferCapping(out->cpu.cur_khz, out->cpu.max_khz, out->busy_share, &out->throttle);
}

}  // namespace

ProbeSnapshot ReadProbes(const std::string& sysroot, LoadProbe* load) {
  PIFLEET_ASSERT(load != nullptr);
  ProbeSnapshot out;
  out.thermal = ReadThermal(sysroot);
  out.cpu = ReadCpu(sysroot);
  out.cgroup = ReadCgroup(sysroot);
  out.throttle = ReadThrottle(sysroot);
  out.identity = ReadIdentity(sysroot);
  ReadTheRest(sysroot, load, &out);
  return out;
}

ProbeSnapshot Prober::Read() {
  if (readings_++ % kProbeRescanReadings == 0) {
    files_.Clear();
    if (!identity_) identity_ = ReadIdentity(sysroot_);
    zones_ = FindThermalZones(sysroot_);
    throttle_ = FindThrottle(sysroot_);
    cgroup_ = FindCgroupFiles(sysroot_);
    cpu_ = FindCpuFiles(sysroot_);
  }
  const ScopedFileCache scoped(&files_);  // the search's own files are not kept open
  ProbeSnapshot out;
  out.thermal = ReadThermal(zones_);
  out.cpu = ReadCpu(cpu_, /*cpuinfo_clock=*/false);
  out.cgroup = ReadCgroup(cgroup_);
  out.throttle = ReadThrottle(throttle_);
  out.identity = *identity_;
  ReadTheRest(sysroot_, &load_, &out);
  return out;
}

}  // namespace pifleet::hal
