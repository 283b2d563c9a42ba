#include "hal/identity_probe.h"

#include <optional>
#include <string_view>

#include "hal/sysfs_file.h"

namespace pifleet::hal {

namespace {

// Printable ASCII only: these strings end up in tables, JSON and the members table.
std::optional<std::string> Clean(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::string out;
  for (char c : *text) {
    if (c == '\0') break;
    if (c >= 0x20 && c < 0x7f) out.push_back(c);
  }
  const std::string_view trimmed = Trim(out);
  if (trimmed.empty()) return std::nullopt;
  return std::string(trimmed);
}

std::optional<std::string> DeviceTree(const std::string& sysroot, const char* name) {
  for (const char* base : {"sys/firmware/devicetree/base/", "proc/device-tree/"}) {
    if (auto value = Clean(ReadFile(JoinSysroot(sysroot, std::string(base) + name)))) {
      return value;
    }
  }
  return std::nullopt;
}

// The value of the first "key<tabs or spaces>: value" line of /proc/cpuinfo.
std::optional<std::string> CpuinfoField(const std::string& text, std::string_view key) {
  std::string_view rest(text);
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || Trim(line.substr(0, colon)) != key) continue;
    return Clean(std::string(line.substr(colon + 1)));
  }
  return std::nullopt;
}

}  // namespace

IdentityReading ReadIdentity(const std::string& sysroot) {
  IdentityReading out;
  const std::string cpuinfo = ReadFile(JoinSysroot(sysroot, "proc/cpuinfo")).value_or("");
  if (auto model = DeviceTree(sysroot, "model")) {
    out.model = *model;
    out.model_source = "device-tree";
  } else if (auto cpu_model = CpuinfoField(cpuinfo, "Model")) {
    out.model = *cpu_model;
    out.model_source = "cpuinfo";
  } else if (auto dmi = Clean(ReadLine(JoinSysroot(sysroot, "sys/class/dmi/id/product_name")))) {
    out.model = *dmi;
    out.model_source = "dmi";
  }
  if (auto serial = DeviceTree(sysroot, "serial-number")) {
    out.serial = *serial;
    out.serial_source = "device-tree";
  } else if (auto cpu_serial = CpuinfoField(cpuinfo, "Serial")) {
    out.serial = *cpu_serial;
    out.serial_source = "cpuinfo";
  } else if (auto id = Clean(ReadLine(JoinSysroot(sysroot, "etc/machine-id")))) {
    out.serial = *id;
    out.serial_source = "machine-id";
  }
  return out;
}

}  // namespace pifleet::hal
