// Temperatures of every thermal zone: /sys/class/thermal/thermal_zone*/{type,temp}, temp in
// millidegrees Celsius (kernel ABI sysfs-class-thermal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pifleet::hal {

struct ThermalZone {
  std::string name;  // "thermal_zone0"
  std::string type;  // "cpu-thermal" on a Pi
  int32_t temp_milli_c = 0;
};

struct ThermalReading {
  std::vector<ThermalZone> zones;  // sorted by name
  // The hottest zone; nullopt when there is none (containers, most VMs).
  std::optional<int32_t> max_milli_c;
};

// A zone found under /sys/class/thermal: its name, type and the file its temperature is read
// from.
struct ThermalZoneFile {
  std::string name;
  std::string type;
  std::string temp_path;
};

// The "thermal_zone*" directories, sorted by name, at most kThermalZonesMax.
std::vector<ThermalZoneFile> FindThermalZones(const std::string& sysroot);
// The temperatures of those zones now; a zone whose sensor is not ready (EAGAIN/ENODATA) is left
// out.
ThermalReading ReadThermal(const std::vector<ThermalZoneFile>& zones);
// Both: finds the zones, then reads them.
ThermalReading ReadThermal(const std::string& sysroot);

}  // namespace pifleet::hal
