// `pifleet agent` settings. One table (config.cc) names every key once; it drives the TOML
// file, the command-line flags (key data_dir <-> flag --data-dir) and docs/configuration.md.
// Precedence: built-in defaults < --config FILE < flags given on the command line.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/store/env.h"
#include "hal/led_config.h"

namespace pifleet::daemon {

struct AgentConfig {
  std::string cluster = "pifleet";            // cluster name; nodes of other names are ignored
  std::string data_dir = "/var/lib/pifleet";  // node.meta, wal/, snap/, cluster.key
  std::string listen = "0.0.0.0:7101";        // UDP address for peers and clients
  std::string key_file;                       // default: <data_dir>/cluster.key
  bool seed = false;                          // start a new cluster with this node as its voter
  std::vector<std::string> join;              // addresses of members to join through
  bool discover = false;                      // find the cluster by authenticated LAN beacons
  std::string discover_group = "239.255.70.70:7170";  // beacons: IPv4 multicast group:port
  uint32_t discover_interval_ms = 1000;               // a member's beacon period
  bool discover_broadcast = false;  // also broadcast every beacon (multicast-filtering LANs)
  std::string role = "auto";        // voter | learner | auto
  uint32_t voters = 3;              // voter count the autopilot keeps
  std::string name;                 // node name; default: the host name
  std::string metrics_listen = "127.0.0.1:9101";  // HTTP /metrics; "" turns it off
  bool metrics_allow_remote = false;              // let metrics_listen be a non-loopback address
  uint32_t datagram_bytes = 1400;                 // largest datagram sent
  std::string log_level = "info";                 // error | warning | notice | info | debug
  bool unsafe_no_fsync = false;     // benchmarks only: acknowledged writes can be lost
  std::string sysroot = "/";        // probes and LEDs read under here (tests: a fixture tree)
  bool worker = true;               // run chunks of jobs (docs/jobs.md); false opts this node out
  std::string job_user = "nobody";  // who runs job commands when the agent runs as root
  // The [leds.status] / [leds.heartbeat] tables (hal/led_config.h); not flags.
  hal::LedConfig leds = hal::DefaultLedConfig();
};

// Reads a TOML file over *config. Unknown keys, wrong types and syntax errors are errors that
// name the file, the key and, for syntax, the line and column. The file is read through env.
Status LoadConfigFile(store::Env* env, const std::string& path, AgentConfig* config);
Status ParseConfigText(std::string_view text, const std::string& source_name, AgentConfig* config);

// Checks values that each key alone cannot (role names, ranges, seed vs join).
Status ValidateConfig(const AgentConfig& config);

// Adds one flag per key. After parsing, ApplyGivenFlags copies only the flags that appeared on
// the command line over *config, so they win over the file.
class ConfigFlags {
 public:
  void Add(CLI::App* command);
  void ApplyGivenFlags(AgentConfig* config) const;

 private:
  AgentConfig values_;
  std::vector<CLI::Option*> options_;
};

// Markdown table of every key: name, flag, type, default, meaning.
std::string ConfigReferenceMarkdown();

}  // namespace pifleet::daemon
