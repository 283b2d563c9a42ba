#include "agent/sm/settings.h"

#include <charconv>

#include "agent/sm/kv_txn.h"

namespace pifleet::sm {
namespace {

constexpr uint32_t kDiscoverIntervalMsMin = 100;
constexpr uint32_t kDiscoverIntervalMsMax = 60'000;
constexpr uint64_t kSnapshotEverySlotsMin = 100;
constexpr uint64_t kSnapshotEverySlotsMax = 10'000'000;

std::optional<uint64_t> ParseNumber(std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return {};
  return value;
}

bool IsLogLevel(std::string_view value) {
  return value == "error" || value == "warning" || value == "notice" || value == "info" ||
         value == "debug";
}

bool IsVoterCount(std::optional<uint64_t> n) {
  return n && (*n == 1 || *n == 3 || *n == 5 || *n == 7);
}

bool InRange(std::optional<uint64_t> n, uint64_t min, uint64_t max) {
  return n && *n >= min && *n <= max;
}

bool Allowed(std::string_view name, std::string_view value) {
  if (name == "log_level") return IsLogLevel(value);
  if (name == "voters") return IsVoterCount(ParseNumber(value));
  if (name == "discover_interval_ms") {
    return InRange(ParseNumber(value), kDiscoverIntervalMsMin, kDiscoverIntervalMsMax);
  }
  if (name == "snapshot_every_slots") {
    return InRange(ParseNumber(value), kSnapshotEverySlotsMin, kSnapshotEverySlotsMax);
  }
  return false;
}

}  // namespace

const std::vector<SettingSpec>& SettingSpecs() {
  static const std::vector<SettingSpec> specs = {
      {"log_level", "error, warning, notice, info or debug", "what every agent logs"},
      {"voters", "1, 3, 5 or 7 (an odd count: 3 or 5 for a fleet, 1 for a test)",
       "the voter count the autopilot keeps"},
      {"discover_interval_ms", "100 to 60000", "a member's LAN beacon period"},
      {"snapshot_every_slots", "100 to 10000000",
       "decided slots between state-machine snapshots (and WAL compactions)"},
  };
  return specs;
}

const SettingSpec* FindSetting(std::string_view name) {
  for (const SettingSpec& spec : SettingSpecs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string CheckSetting(std::string_view name, std::string_view value) {
  const SettingSpec* spec = FindSetting(name);
  if (!spec) {
    std::string known;
    for (const SettingSpec& s : SettingSpecs())
      known += (known.empty() ? "" : ", ") + std::string(s.name);
    return "no runtime setting '" + std::string(name) + "' (settings: " + known + ")";
  }
  if (Allowed(name, value)) return "";
  return std::string(name) + " must be " + std::string(spec->allowed) + ", not '" +
         std::string(value) + "'";
}

std::string CheckSettingChange(std::string_view name, std::string_view value, bool unset) {
  if (unset && FindSetting(name)) return "";
  return CheckSetting(name, unset ? "" : value);
}

RuntimeSettings ReadSettings(const KvStore& kv) {
  RuntimeSettings settings;
  auto value = [&](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> v = kv.Find(std::string(kSettingsPrefix) + std::string(name));
    if (v && !Allowed(name, *v)) return std::nullopt;
    return v;
  };
  settings.log_level = value("log_level");
  if (auto v = value("voters")) settings.voters = static_cast<uint32_t>(*ParseNumber(*v));
  if (auto v = value("discover_interval_ms")) {
    settings.discover_interval_ms = static_cast<uint32_t>(*ParseNumber(*v));
  }
  if (auto v = value("snapshot_every_slots")) settings.snapshot_every_slots = *ParseNumber(*v);
  return settings;
}

bool WritesSettings(const wire::KvRequestBody& request) {
  return WritesUnder(kSettingsPrefix, request);
}

bool WritesSettings(const wire::TxnRequestBody& txn) { return WritesUnder(kSettingsPrefix, txn); }

bool ChangedSettings(const std::vector<KvEvent>& events) {
  for (const KvEvent& event : events) {
    if (event.row.key.starts_with(kSettingsPrefix)) return true;
  }
  return false;
}

}  // namespace pifleet::sm
