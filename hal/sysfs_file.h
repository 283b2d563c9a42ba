// Small, bounded reads and writes of sysfs/procfs files under a sysroot prefix, so every probe
// and LED driver runs unchanged against the fixture trees in tests/fixtures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace pifleet::hal {

// "/" + "sys/class/thermal" -> "/sys/class/thermal"; "fixtures/pi4" + "/proc/stat" ->
// "fixtures/pi4/proc/stat".
std::string JoinSysroot(std::string_view sysroot, std::string_view path);

// The whole file (at most kProbeFileBytesMax bytes), or nullopt when it cannot be read: a
// missing probe file is normal off a Pi.
std::optional<std::string> ReadFile(const std::string& path);

// The file's first line without trailing whitespace and NUL bytes (device-tree strings end in
// NUL).
std::optional<std::string> ReadLine(const std::string& path);

// Whole-string parses; nullopt on any trailing garbage.
std::optional<int64_t> ParseInt(std::string_view text);
std::optional<uint64_t> ParseHex(std::string_view text);  // "50005" or "0x50005"

std::optional<int64_t> ReadInt(const std::string& path);

// Writes `value` to an existing file (sysfs attributes are never created).
Status WriteFile(const std::string& path, std::string_view value);

std::string_view Trim(std::string_view text);

}  // namespace pifleet::hal
