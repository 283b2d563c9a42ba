// Board model and serial. On a Pi: the device tree's NUL-terminated `model` and `serial-number`
// (/sys/firmware/devicetree/base, which /proc/device-tree points to). Off a Pi: /proc/cpuinfo's
// "Model"/"Serial" lines, then DMI, then /etc/machine-id for the serial.
#pragma once

#include <string>

namespace pifleet::hal {

struct IdentityReading {
  std::string model = "unknown";
  std::string model_source = "none";  // "device-tree", "cpuinfo", "dmi", "none"
  std::string serial = "unknown";
  std::string serial_source = "none";  // "device-tree", "cpuinfo", "machine-id", "none"
};

IdentityReading ReadIdentity(const std::string& sysroot);

}  // namespace pifleet::hal
