// Memory from /proc/meminfo ("MemTotal:  3884324 kB").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pifleet::hal {

struct MemoryReading {
  std::optional<uint64_t> total_bytes;
  std::optional<uint64_t> available_bytes;  // MemAvailable (kernel 3.14+)
};

MemoryReading ParseMeminfo(std::string_view text);
MemoryReading ReadMemory(const std::string& sysroot);

}  // namespace pifleet::hal
