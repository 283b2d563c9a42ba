#include "agent/daemon/config.h"

#include <toml++/toml.h>

#include <sstream>
#include <type_traits>
#include <variant>

#include "agent/base/text.h"
#include "agent/base/toml_text.h"
#include "agent/daemon/discovery.h"
#include "agent/daemon/metrics_http.h"
#include "agent/net/endpoint.h"
#include "agent/sm/member_limits.h"
#include "agent/sm/settings.h"

namespace pifleet::daemon {
namespace {

using Member = std::variant<std::string AgentConfig::*, bool AgentConfig::*,
                            uint32_t AgentConfig::*, std::vector<std::string> AgentConfig::*>;

struct Key {
  const char* name;  // TOML key; the flag is the same with '-' for '_'
  Member member;
  const char* help;
};

const Key kKeys[] = {
    {"cluster", &AgentConfig::cluster, "Cluster name; nodes of another name are ignored"},
    {"data_dir", &AgentConfig::data_dir, "Data directory: node.meta, wal/, snap/, cluster.key"},
    {"listen", &AgentConfig::listen, "UDP address for peers and clients (host:port)"},
    {"key_file", &AgentConfig::key_file, "Cluster key file (default: <data_dir>/cluster.key)"},
    {"seed", &AgentConfig::seed, "Start a new cluster with this node as its first voter"},
    {"join", &AgentConfig::join, "Join through these members (host:port, repeatable)"},
    {"discover", &AgentConfig::discover, "Find the cluster by authenticated LAN beacons"},
    {"discover_group", &AgentConfig::discover_group,
     "Beacon multicast group and port (IPv4, host:port)"},
    {"discover_interval_ms", &AgentConfig::discover_interval_ms,
     "A member's beacon period, in ms (100..60000)"},
    {"discover_broadcast", &AgentConfig::discover_broadcast,
     "Also broadcast each beacon (for LANs that filter multicast)"},
    {"role", &AgentConfig::role, "voter, learner or auto (the autopilot decides)"},
    {"voters", &AgentConfig::voters,
     "Voter count the autopilot keeps: 3 or 5 (1 or 7 allowed; 1 only for tests)"},
    {"name", &AgentConfig::name, "Node name (default: the host name)"},
    {"metrics_listen", &AgentConfig::metrics_listen,
     "HTTP address of /metrics and the fleet page; empty: off"},
    {"metrics_allow_remote", &AgentConfig::metrics_allow_remote,
     "Allow a non-loopback metrics_listen (exposes /metrics and the fleet page on the network)"},
    {"datagram_bytes", &AgentConfig::datagram_bytes, "Largest datagram sent, in bytes"},
    {"log_level", &AgentConfig::log_level, "error, warning, notice, info or debug"},
    {"unsafe_no_fsync", &AgentConfig::unsafe_no_fsync,
     "BENCHMARKS ONLY: skip fdatasync; acknowledged writes can be lost"},
    {"sysroot", &AgentConfig::sysroot,
     "Read probes and drive LEDs under this directory instead of / (tests)"},
    {"worker", &AgentConfig::worker,
     "Run chunks of jobs (docs/jobs.md); false opts this node out (--worker=false)"},
    {"job_user", &AgentConfig::job_user,
     "User that runs job commands when the agent runs as root (never root itself)"},
};

// Tables other parts of pifleet read from the same file (hal's [leds], ...).
const char* const kOtherTables[] = {"leds", "hal", "jobs"};

std::string FlagName(const char* key) {
  std::string flag = "--";
  for (const char* p = key; *p; ++p) flag.push_back(*p == '_' ? '-' : *p);
  return flag;
}

const char* TypeName(const Member& member) {
  return std::visit(
      [](auto pointer) -> const char* {
        using T = std::remove_reference_t<decltype(AgentConfig{}.*pointer)>;
        if constexpr (std::is_same_v<T, std::string>) return "string";
        if constexpr (std::is_same_v<T, bool>) return "boolean";
        if constexpr (std::is_same_v<T, uint32_t>) return "integer";
        return "array of strings";
      },
      member);
}

Status WrongType(const std::string& source, const Key& key) {
  return Status::InvalidArgument(source + ": key '" + key.name + "' must be a " +
                                 TypeName(key.member));
}

Status ReadKey(const toml::node& node, const Key& key, const std::string& source,
               AgentConfig* config) {
  if (auto pointer = std::get_if<std::string AgentConfig::*>(&key.member)) {
    auto value = node.value<std::string>();
    if (!value || !node.is_string()) return WrongType(source, key);
    config->** pointer = *value;
  } else if (auto flag = std::get_if<bool AgentConfig::*>(&key.member)) {
    if (!node.is_boolean()) return WrongType(source, key);
    config->** flag = *node.value<bool>();
  } else if (auto number = std::get_if<uint32_t AgentConfig::*>(&key.member)) {
    if (!node.is_integer()) return WrongType(source, key);
    const int64_t value = *node.value<int64_t>();
    if (value < 0 || value > UINT32_MAX) {
      return Status::InvalidArgument(source + ": key '" + key.name + "' is out of range");
    }
    config->** number = static_cast<uint32_t>(value);
  } else {
    auto list = std::get<std::vector<std::string> AgentConfig::*>(key.member);
    const toml::array* array = node.as_array();
    if (array == nullptr) return WrongType(source, key);
    std::vector<std::string> values;
    for (const toml::node& item : *array) {
      if (!item.is_string()) return WrongType(source, key);
      values.push_back(*item.value<std::string>());
    }
    config->*list = std::move(values);
  }
  return Status::Ok();
}

// Syntax only (a host name is resolved at start): a typo is a usage error found before the
// agent touches its data dir.
Status ValidateEndpoints(const AgentConfig& config) {
  net::Endpoint endpoint;
  if (Status status = net::ParseEndpoint(config.listen, &endpoint); !status.ok()) {
    return Status::InvalidArgument("listen '" + config.listen + "': " + status.message());
  }
  for (const std::string& join : config.join) {
    if (Status status = net::ParseEndpoint(join, &endpoint); !status.ok()) {
      return Status::InvalidArgument("join '" + join + "': " + status.message());
    }
  }
  return Status::Ok();
}

// Names reach every replica and every `pifleet members` (agent/sm/member_limits.h).
Status ValidateConfigText(const AgentConfig& config) {
  if (Status status = CheckText("name", config.name, sm::kMemberNameBytesMax); !status.ok()) {
    return status;
  }
  return CheckText("cluster", config.cluster, sm::kClusterNameBytesMax);
}

}  // namespace

Status ParseConfigText(std::string_view text, const std::string& source_name, AgentConfig* config) {
  if (Status status = CheckTomlNonAsciiPlacement(text, source_name); !status.ok()) return status;
  toml::table table;
  try {
    table = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    std::ostringstream message;
    message << source_name << ":" << error.source().begin.line << ":" << error.source().begin.column
            << ": " << error.description();
    return Status::InvalidArgument(message.str());
  }
  AgentConfig parsed = *config;
  for (const auto& [name, node] : table) {
    const std::string_view key_name = name.str();
    bool known = false;
    for (const Key& key : kKeys) {
      if (key_name != key.name) continue;
      known = true;
      if (Status status = ReadKey(node, key, source_name, &parsed); !status.ok()) return status;
    }
    if (key_name == "leds") {  // parsed and checked by the hardware layer
      if (Status status = hal::ParseLedConfig(text, source_name, &parsed.leds); !status.ok()) {
        return status;
      }
    }
    for (const char* other : kOtherTables) known = known || key_name == other;
    if (!known) {
      return Status::InvalidArgument(source_name + ": unknown key '" + std::string(key_name) +
                                     "' (see docs/configuration.md)");
    }
  }
  *config = std::move(parsed);
  return Status::Ok();
}

Status LoadConfigFile(store::Env* env, const std::string& path, AgentConfig* config) {
  // A directory opens and reads as empty text: without this it would pass as an empty config.
  uint32_t mode = 0;
  if (env->GetFileMode(path, &mode).ok() &&
      (mode & store::kModeTypeMask) == store::kModeDirectory) {
    return Status::InvalidArgument("config file " + path + " is a directory, not a TOML file");
  }
  std::string text;
  if (Status status = store::ReadFileToString(env, path, &text); !status.ok()) {
    return Status::IOError("cannot read config file " + path + ": " + status.message());
  }
  return ParseConfigText(text, path, config);
}

Status ValidateConfig(const AgentConfig& config) {
  if (Status status = ValidateConfigText(config); !status.ok()) return status;
  if (config.role != "voter" && config.role != "learner" && config.role != "auto") {
    return Status::InvalidArgument("role must be voter, learner or auto, not '" + config.role +
                                   "'");
  }
  // The settings that can also change at runtime have one check (sm/settings.h).
  for (const auto& [name, value] :
       {std::pair<std::string, std::string>{"voters", std::to_string(config.voters)},
        {"log_level", config.log_level},
        {"discover_interval_ms", std::to_string(config.discover_interval_ms)}}) {
    if (std::string why = sm::CheckSetting(name, value); !why.empty()) {
      return Status::InvalidArgument(why);
    }
  }
  if (config.seed && !config.join.empty()) {
    return Status::InvalidArgument("seed starts a new cluster; it cannot be combined with join");
  }
  if (config.datagram_bytes < 256 || config.datagram_bytes > 65507) {
    return Status::InvalidArgument("datagram_bytes must be between 256 and 65507");
  }
  if (config.data_dir.empty()) return Status::InvalidArgument("data_dir must not be empty");
  if (config.sysroot.empty()) return Status::InvalidArgument("sysroot must not be empty");
  if (!config.metrics_listen.empty()) {
    if (Status status = CheckMetricsListen(config.metrics_listen, config.metrics_allow_remote);
        !status.ok()) {
      return status;
    }
  }
  // Checked whether or not --discover is on: a wrong value must not wait for the day it is.
  if (Status status = CheckDiscoverGroup(config.discover_group); !status.ok()) return status;
  return ValidateEndpoints(config);
}

void ConfigFlags::Add(CLI::App* command) {
  for (const Key& key : kKeys) {
    const std::string flag = FlagName(key.name);
    CLI::Option* option = std::visit(
        [&](auto pointer) -> CLI::Option* {
          using T = std::remove_reference_t<decltype(values_.*pointer)>;
          if constexpr (std::is_same_v<T, bool>) {
            return command->add_flag(flag, values_.*pointer, key.help);
          } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            return command->add_option(flag, values_.*pointer, key.help)->delimiter(',');
          } else {
            return command->add_option(flag, values_.*pointer, key.help);
          }
        },
        key.member);
    options_.push_back(option);
  }
}

void ConfigFlags::ApplyGivenFlags(AgentConfig* config) const {
  for (size_t i = 0; i < options_.size(); ++i) {
    if (options_[i]->count() == 0) continue;
    std::visit([&](auto pointer) { config->*pointer = values_.*pointer; }, kKeys[i].member);
  }
}

std::string ConfigReferenceMarkdown() {
  const AgentConfig defaults;
  std::string out = "| key | flag | type | default | meaning |\n|---|---|---|---|---|\n";
  for (const Key& key : kKeys) {
    const std::string value = std::visit(
        [&](auto pointer) -> std::string {
          const auto& v = defaults.*pointer;
          using T = std::remove_cvref_t<decltype(v)>;
          if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
          if constexpr (std::is_same_v<T, uint32_t>) return std::to_string(v);
          if constexpr (std::is_same_v<T, std::string>) return "\"" + v + "\"";
          return "[]";
        },
        key.member);
    out += std::string("| `") + key.name + "` | `" + FlagName(key.name) + "` | " +
           TypeName(key.member) + " | `" + value + "` | " + key.help + " |\n";
  }
  return out;
}

}  // namespace pifleet::daemon
