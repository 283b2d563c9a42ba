#include "hal/memory_probe.h"

#include "hal/sysfs_file.h"

namespace pifleet::hal {

namespace {

std::optional<uint64_t> FieldBytes(std::string_view text, std::string_view key) {
  std::size_t at = 0;
  while ((at = text.find(key, at)) != std::string_view::npos) {
    const bool line_start = at == 0 || text[at - 1] == '\n';
    const std::size_t colon = at + key.size();
    if (line_start && colon < text.size() && text[colon] == ':') {
      const auto eol = text.find('\n', colon);
      std::string_view value = Trim(text.substr(colon + 1, eol - colon - 1));
      uint64_t multiplier = 1;
      if (value.size() > 3 && value.substr(value.size() - 3) == " kB") {
        value.remove_suffix(3);
        multiplier = 1024;
      }
      const auto number = ParseInt(value);
      if (!number || *number < 0) return std::nullopt;
      return static_cast<uint64_t>(*number) * multiplier;
    }
    at = colon;
  }
  return std::nullopt;
}

}  // namespace

MemoryReading ParseMeminfo(std::string_view text) {
  MemoryReading out;
  out.total_bytes = FieldBytes(text, "MemTotal");
  out.available_bytes = FieldBytes(text, "MemAvailable");
  return out;
}

MemoryReading ReadMemory(const std::string& sysroot) {
  const auto text = ReadFile(JoinSysroot(sysroot, "proc/meminfo"));
  return text ? ParseMeminfo(*text) : MemoryReading{};
}

}  // namespace pifleet::hal
