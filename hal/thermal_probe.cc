#include "hal/thermal_probe.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "hal/constants.h"
#include "hal/sysfs_file.h"

namespace pifleet::hal {

std::vector<ThermalZoneFile> FindThermalZones(const std::string& sysroot) {
  std::vector<ThermalZoneFile> zones;
  const std::string dir = JoinSysroot(sysroot, "sys/class/thermal");
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (static_cast<int>(zones.size()) >= kThermalZonesMax) break;
    const std::string name = it->path().filename().string();
    if (name.rfind("thermal_zone", 0) != 0) continue;
    zones.push_back({name, ReadLine(it->path().string() + "/type").value_or(""),
                     it->path().string() + "/temp"});
  }
  std::sort(zones.begin(), zones.end(),
            [](const ThermalZoneFile& a, const ThermalZoneFile& b) { return a.name < b.name; });
  return zones;
}

ThermalReading ReadThermal(const std::vector<ThermalZoneFile>& zones) {
  ThermalReading out;
  for (const ThermalZoneFile& file : zones) {
    const auto temp = ReadInt(file.temp_path);
    if (!temp) continue;  // a zone whose sensor is not ready reads EAGAIN/ENODATA
    ThermalZone zone;
    zone.name = file.name;
    zone.type = file.type;
    zone.temp_milli_c = static_cast<int32_t>(std::clamp<int64_t>(*temp, -273150, 1000000));
    if (!out.max_milli_c || zone.temp_milli_c > *out.max_milli_c) {
      out.max_milli_c = zone.temp_milli_c;
    }
    out.zones.push_back(std::move(zone));
  }
  return out;
}

ThermalReading ReadThermal(const std::string& sysroot) {
  return ReadThermal(FindThermalZones(sysroot));
}

}  // namespace pifleet::hal
