#include "hal/throttle_probe.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "agent/base/assert.h"
#include "hal/constants.h"
#include "hal/sysfs_file.h"

namespace pifleet::hal {

const char* ThrottleSourceName(ThrottleSource source) {
  switch (source) {
    case ThrottleSource::kFirmware:
      return "firmware";
    case ThrottleSource::kHwmon:
      return "hwmon";
    case ThrottleSource::kInferred:
      return "inferred";
    case ThrottleSource::kNone:
      return "none";
  }
  return "none";
}

namespace {

ThrottleFlags DecodeNibble(uint32_t bits) {
  ThrottleFlags out;
  out.under_voltage = (bits & kThrottleUnderVoltage) != 0;
  out.freq_capped = (bits & kThrottleFreqCapped) != 0;
  out.throttled = (bits & kThrottleThrottled) != 0;
  out.soft_temp_limit = (bits & kThrottleSoftTempLimit) != 0;
  return out;
}

// The firmware word as a decodable value, if `path` reads as one.
std::optional<uint32_t> ReadFirmwareWord(const std::string& path) {
  const auto line = ReadLine(path);
  const auto raw = line ? ParseHex(*line) : std::nullopt;
  if (!raw || *raw > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(*raw);
}

std::optional<std::string> FindFirmwareWord(const std::string& sysroot) {
  const std::string fixed =
      JoinSysroot(sysroot, "sys/devices/platform/soc/soc:firmware/get_throttled");
  if (ReadFirmwareWord(fixed)) return fixed;
  // Boards whose soc node carries an address ("soc@107c000000").
  std::error_code ec;
  std::filesystem::directory_iterator it(JoinSysroot(sysroot, "sys/devices/platform"), ec);
  for (int seen = 0; !ec && it != std::filesystem::directory_iterator() && seen < kHwmonDevicesMax;
       it.increment(ec), ++seen) {
    const std::string soc = it->path().filename().string();
    if (soc.rfind("soc", 0) != 0 || soc == "soc") continue;
    const std::string path = it->path().string() + "/" + soc + ":firmware/get_throttled";
    if (ReadFirmwareWord(path)) return path;
  }
  return std::nullopt;
}

std::optional<std::string> FindHwmonAlarm(const std::string& sysroot) {
  std::vector<std::filesystem::path> dirs;
  std::error_code ec;
  std::filesystem::directory_iterator it(JoinSysroot(sysroot, "sys/class/hwmon"), ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (static_cast<int>(dirs.size()) >= kHwmonDevicesMax) break;
    dirs.push_back(it->path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    if (ReadLine(dir.string() + "/name").value_or("") != "rpi_volt") continue;
    const std::string alarm = dir.string() + "/in0_lcrit_alarm";
    if (ReadInt(alarm)) return alarm;
  }
  return std::nullopt;
}

}  // namespace

ThrottleReading DecodeThrottled(uint32_t raw) {
  ThrottleReading out;
  out.source = ThrottleSource::kFirmware;
  out.raw = raw;
  out.now = DecodeNibble(raw);
  out.since_boot = DecodeNibble(raw >> kThrottleSinceBootShift);
  return out;
}

ThrottleFile FindThrottle(const std::string& sysroot) {
  if (auto path = FindFirmwareWord(sysroot)) return {ThrottleSource::kFirmware, std::move(*path)};
  if (auto path = FindHwmonAlarm(sysroot)) return {ThrottleSource::kHwmon, std::move(*path)};
  return {};
}

ThrottleReading ReadThrottle(const ThrottleFile& file) {
  if (file.source == ThrottleSource::kFirmware) {
    if (const auto raw = ReadFirmwareWord(file.path)) return DecodeThrottled(*raw);
  } else if (file.source == ThrottleSource::kHwmon) {
    if (const auto alarm = ReadInt(file.path)) {
      ThrottleReading out;
      out.source = ThrottleSource::kHwmon;
      out.since_boot.under_voltage = *alarm != 0;
      return out;
    }
  }
  return ThrottleReading{};
}

ThrottleReading ReadThrottle(const std::string& sysroot) {
  return ReadThrottle(FindThrottle(sysroot));
}

void InferCapping(std::optional<int64_t> cur_khz, std::optional<int64_t> max_khz,
                  std::optional<double> busy_share, ThrottleReading* reading) {
  PIFLEET_ASSERT(reading != nullptr);
  if (reading->source == ThrottleSource::kFirmware) return;
  if (!cur_khz || !max_khz || !busy_share || *max_khz <= 0) return;
  if (reading->source == ThrottleSource::kNone) reading->source = ThrottleSource::kInferred;
  reading->capping_inferred = true;
  const double ratio = static_cast<double>(*cur_khz) / static_cast<double>(*max_khz);
  reading->now.freq_capped = *busy_share >= kInferLoadMin && ratio < kInferFreqRatioMax;
}

}  // namespace pifleet::hal
