// Small, bounded reads and writes of sysfs/procfs files under a sysroot prefix, so every probe
// and LED driver runs unchanged against the fixture trees in tests/fixtures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "agent/base/status.h"

namespace pifleet::hal {

// "/" + "sys/class/thermal" -> "/sys/class/thermal"; "fixtures/pi4" + "/proc/stat" ->
// "fixtures/pi4/proc/stat".
std::string JoinSysroot(std::string_view sysroot, std::string_view path);

// The whole file (at most kProbeFileBytesMax bytes), or nullopt when it cannot be read: a
// missing probe file is normal off a Pi. Through the thread's OpenFileCache while a
// ScopedFileCache installs one.
std::optional<std::string> ReadFile(const std::string& path);

// The files read once a second (the agent's Prober), kept open between readings: each reading
// then costs a pread instead of an open, a read and a close. A file that fails to read is closed
// and opened again at its next reading; Clear() drops them all (the Prober's rescan, so a
// moved cgroup's files are not held).
class OpenFileCache {
 public:
  OpenFileCache() = default;
  OpenFileCache(const OpenFileCache&) = delete;
  OpenFileCache& operator=(const OpenFileCache&) = delete;
  ~OpenFileCache();

  std::optional<std::string> Read(const std::string& path);
  void Clear();
  size_t open_files() const { return fds_.size(); }

 private:
  std::unordered_map<std::string, int> fds_;
};

// While alive, ReadFile (and so ReadLine and ReadInt) on this thread reads through `cache`.
class ScopedFileCache {
 public:
  explicit ScopedFileCache(OpenFileCache* cache);
  ScopedFileCache(const ScopedFileCache&) = delete;
  ScopedFileCache& operator=(const ScopedFileCache&) = delete;
  ~ScopedFileCache();

 private:
  OpenFileCache* previous_;
};

// The file's first line without trailing whitespace and NUL bytes (device-tree strings end in
// NUL).
std::optional<std::string> ReadLine(const std::string& path);

// Whole-string parses; nullopt on any trailing garbage.
std::optional<int64_t> ParseInt(std::string_view text);
std::optional<uint64_t> ParseHex(std::string_view text);  // "50005" or "0x50005"

std::optional<int64_t> ReadInt(const std::string& path);

// Whether the file exists and may be read (access(2): no open, no read).
bool Readable(const std::string& path);

// Writes `value` to an existing file (sysfs attributes are never created).
Status WriteFile(const std::string& path, std::string_view value);

std::string_view Trim(std::string_view text);

}  // namespace pifleet::hal
