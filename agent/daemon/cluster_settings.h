// The runtime settings in the agent (sm/settings.h, docs/configuration.md): `pifleet config
// set|unset` goes through the log in the client's session (answered by ClientRequests when
// applied), `config list|get` is answered from this node's view, and whenever an applied
// command, a snapshot install or the start changes a setting, the new value in effect (the
// cluster's, else this node's own) goes to what it tunes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/daemon/agent_context.h"
#include "agent/daemon/client_requests.h"
#include "agent/daemon/config.h"
#include "agent/sm/settings.h"

namespace pifleet::daemon {

class ClusterSettings {
 public:
  // What the settings tune; each is called with the value in effect when it changes.
  struct Tuners {
    std::function<void(Level)> log_level;
    std::function<void(uint32_t, bool from_cluster)> voters;
    std::function<void(uint32_t)> discover_interval_ms;
    std::function<void(uint64_t)> snapshot_every_slots;
  };

  // own: this node's values (file, flags, defaults), in effect where the cluster sets none.
  ClusterSettings(AgentContext& context, ClientRequests& clients, const AgentConfig& own,
                  uint64_t own_snapshot_every_slots, Tuners tuners);

  // ClientOp::kConfigSet: set or unset one setting, checked before it is proposed.
  void HandleSet(const wire::ClientRequest& request, const net::UdpAddress& from);
  // ClientOp::kConfigList: every setting as this node has it.
  void HandleList(const wire::ClientRequest& request, const net::UdpAddress& from);
  // After every applied command: Refresh when it changed a setting.
  void OnApplied(const sm::KvStore& kv);
  // After a snapshot install or the start (and from OnApplied): tunes what changed, and logs it.
  void Refresh();

 private:
  // Values in effect, by name, as text.
  struct InEffect {
    std::string log_level;
    uint32_t voters = 0;
    uint32_t discover_interval_ms = 0;
    uint64_t snapshot_every_slots = 0;
  };
  InEffect Compute(const sm::RuntimeSettings& cluster) const;

  AgentContext& context_;
  ClientRequests& clients_;
  const InEffect own_;
  Tuners tuners_;
  InEffect applied_;
  bool refreshed_ = false;
  bool voters_from_cluster_ = false;
  uint64_t seen_revision_ = 0;  // the kv revision of the last look
};

}  // namespace pifleet::daemon
