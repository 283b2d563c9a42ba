#include "hal/load_probe.h"

#include <array>
#include <charconv>

#include "hal/sysfs_file.h"

namespace pifleet::hal {

std::optional<CpuTimes> ParseProcStat(std::string_view text) {
  if (text.rfind("cpu ", 0) != 0) return std::nullopt;
  const auto eol = text.find('\n');
  std::string_view line = text.substr(4, eol == std::string_view::npos ? eol : eol - 4);
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already
  // counted in user and nice, so only the first eight fields add up to the total.
  std::array<uint64_t, 8> fields{};
  std::size_t count = 0;
  while (count < fields.size()) {
    line = Trim(line);
    if (line.empty()) break;
    const auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), fields[count]);
    if (ec != std::errc()) return std::nullopt;
    line.remove_prefix(static_cast<std::size_t>(ptr - line.data()));
    ++count;
  }
  if (count < 4) return std::nullopt;  // kernels before 2.6 stop at idle; we need that much
  CpuTimes out;
  for (std::size_t i = 0; i < count; ++i) out.total_ticks += fields[i];
  out.idle_ticks = fields[3] + (count > 4 ? fields[4] : 0);
  return out;
}

std::optional<double> BusyShare(const CpuTimes& before, const CpuTimes& after) {
  if (after.total_ticks <= before.total_ticks || after.idle_ticks < before.idle_ticks) {
    return std::nullopt;
  }
  const double total = static_cast<double>(after.total_ticks - before.total_ticks);
  const double idle = static_cast<double>(after.idle_ticks - before.idle_ticks);
  if (idle > total) return std::nullopt;
  return 1.0 - idle / total;
}

std::optional<double> LoadProbe::Sample(const std::string& sysroot) {
  const auto text = ReadFile(JoinSysroot(sysroot, "proc/stat"));
  const auto now = text ? ParseProcStat(*text) : std::nullopt;
  if (!now) return std::nullopt;
  std::optional<double> share;
  if (previous_) share = BusyShare(*previous_, *now);
  previous_ = now;
  return share;
}

}  // namespace pifleet::hal
