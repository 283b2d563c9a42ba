// Cluster settings that change at runtime (`pifleet config`, docs/configuration.md): each lives
// in the replicated kv store under kSettingsPrefix, so it is in the log, the snapshots and
// watches, survives restarts and reaches every node when applied. Only ClientOp::kConfig writes
// there; the agent refuses kv commands that touch the prefix, and checks a value before it is
// proposed. A value in the store that does not parse (written by another version) is ignored by
// every agent alike, and the node's own value stays.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sm/kv.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::sm {

inline constexpr std::string_view kSettingsPrefix = "pifleet/config/";

struct SettingSpec {
  std::string_view name;
  std::string_view allowed;  // the range, for people: "1, 3, 5 or 7"
  std::string_view meaning;
};

// Every runtime setting, in the order `config list` shows them.
const std::vector<SettingSpec>& SettingSpecs();
const SettingSpec* FindSetting(std::string_view name);

// "" when `value` is allowed for the setting `name`; otherwise why not, naming the setting and
// its allowed range (or that there is no such setting).
std::string CheckSetting(std::string_view name, std::string_view value);
// The same for `config set` (unset false) or `config unset` (any known setting may be unset).
std::string CheckSettingChange(std::string_view name, std::string_view value, bool unset);

// The settings as the store holds them (a setting not set, or set to a value that does not
// parse, is nullopt: the node's own value applies).
struct RuntimeSettings {
  std::optional<std::string> log_level;  // error | warning | notice | info | debug
  std::optional<uint32_t> voters;
  std::optional<uint32_t> discover_interval_ms;
  std::optional<uint64_t> snapshot_every_slots;
  bool operator==(const RuntimeSettings&) const = default;
};
RuntimeSettings ReadSettings(const KvStore& kv);

// True when the kv command `request` (a KvRequestBody or a transaction) would write a key under
// kSettingsPrefix: such commands are refused at the edge.
bool WritesSettings(const wire::KvRequestBody& request);
bool WritesSettings(const wire::TxnRequestBody& txn);
// True when one of the events of the last applied command changed a setting.
bool ChangedSettings(const std::vector<KvEvent>& events);

}  // namespace pifleet::sm
