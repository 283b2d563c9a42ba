#include "hal/thermal_probe.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "hal/constants.h"
#include "hal/sysfs_file.h"

namespace pifleet::hal {

ThermalReading ReadThermal(const std::string& sysroot) {
  ThermalReading out;
  const std::string dir = JoinSysroot(sysroot, "sys/class/thermal");
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (static_cast<int>(out.zones.size()) >= kThermalZonesMax) break;
    const std::string name = it->path().filename().string();
    if (name.rfind("thermal_zone", 0) != 0) continue;
    const auto temp = ReadInt(it->path().string() + "/temp");
    if (!temp) continue;  // a zone whose sensor is not ready reads EAGAIN/ENODATA
    ThermalZone zone;
    zone.name = name;
    zone.type = ReadLine(it->path().string() + "/type").value_or("");
    zone.temp_milli_c = static_cast<int32_t>(std::clamp<int64_t>(*temp, -273150, 1000000));
    out.zones.push_back(std::move(zone));
  }
  std::sort(out.zones.begin(), out.zones.end(),
            [](const ThermalZone& a, const ThermalZone& b) { return a.name < b.name; });
  for (const auto& zone : out.zones) {
    if (!out.max_milli_c || zone.temp_milli_c > *out.max_milli_c) {
      out.max_milli_c = zone.temp_milli_c;
    }
  }
  return out;
}

}  // namespace pifleet::hal
