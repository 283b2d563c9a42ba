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

ThermalReading ReadThermal(const std::string& sysroot);

}  // namespace pifleet::hal
