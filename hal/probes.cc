#include "hal/probes.h"

#include "agent/base/assert.h"

namespace pifleet::hal {

ProbeSnapshot ReadProbes(const std::string& sysroot, LoadProbe* load,
                         const IdentityReading* identity) {
  PIFLEET_ASSERT(load != nullptr);
  ProbeSnapshot out;
  out.sysroot = sysroot;
  out.thermal = ReadThermal(sysroot);
  out.cpu = ReadCpu(sysroot);
  out.busy_share = load->Sample(sysroot);
  out.memory = ReadMemory(sysroot);
  out.cgroup = ReadCgroup(sysroot);
  out.throttle = ReadThrottle(sysroot);
  InferCapping(out.cpu.cur_khz, out.cpu.max_khz, out.busy_share, &out.throttle);
  out.identity = identity != nullptr ? *identity : ReadIdentity(sysroot);
  return out;
}

}  // namespace pifleet::hal
