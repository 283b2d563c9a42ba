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

std::optional<ThrottleReading> ReadHwmon(const std::string& sysroot) {
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
    const auto alarm = ReadInt(dir.string() + "/in0_lcrit_alarm");
    if (!alarm) continue;
    ThrottleReading out;
    out.source = ThrottleSource::kHwmon;
    out.since_boot.under_voltage = *alarm != 0;
    return out;
  }
  return std::nullopt;
}

std::optional<uint64_t> ReadFirmwareWord(const std::string& sysroot) {
  const auto fixed =
      ReadLine(JoinSysroot(sysroot, "sys/devices/platform/soc/soc:firmware/get_throttled"));
  if (fixed) return ParseHex(*fixed);
  // Boards whose soc node carries an address ("soc@107c000000").
  std::error_code ec;
  std::filesystem::directory_iterator it(JoinSysroot(sysroot, "sys/devices/platform"), ec);
  for (int seen = 0; !ec && it != std::filesystem::directory_iterator() && seen < kHwmonDevicesMax;
       it.increment(ec), ++seen) {
    const std::string soc = it->path().filename().string();
    if (soc.rfind("soc", 0) != 0 || soc == "soc") continue;
    const auto line = ReadLine(it->path().string() + "/" + soc + ":firmware/get_throttled");
    if (line) return ParseHex(*line);
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

ThrottleReading ReadThrottle(const std::string& sysroot) {
  const auto raw = ReadFirmwareWord(sysroot);
  if (raw && *raw <= UINT32_MAX) return DecodeThrottled(static_cast<uint32_t>(*raw));
  if (auto hwmon = ReadHwmon(sysroot)) return *hwmon;
  return ThrottleReading{};
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
