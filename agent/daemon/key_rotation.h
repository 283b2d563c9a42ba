// Keyring rotation without downtime (docs/security.md): `pifleet key install|use|remove` travel
// through the replicated log into the state machine (sm::KeyState), so every node applies the
// same steps in the same order, a node that was down replays what it missed, and one that
// catches up from a snapshot finds them in it. This node's keyring follows the state machine's
// (AdoptClusterKeys), persisted in the data dir (0600). Each node reports what it holds through
// the log, so `use` and `remove` refuse a step some member is not ready for. Clients are
// answered in the key they asked with.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/daemon/agent_context.h"
#include "agent/daemon/client_requests.h"
#include "agent/daemon/metrics.h"
#include "agent/daemon/own_proposals.h"
#include "agent/store/env.h"
#include "agent/wire/keyring.h"

namespace pifleet::daemon {

struct KeyRotationOptions {
  store::Env* env;       // the keyring file and key_file are read and written through it
  std::string data_dir;  // holds the keyring file
  std::string key_file;  // the cluster key a new data dir starts from
};

class KeyRotation {
 public:
  KeyRotation(AgentContext& context, OwnProposals& own, ClientRequests& clients,
              KeyRotationOptions options);

  // At start: the data dir's keyring, else key_file (refused if others may read it).
  Status Load();
  // The keyring the Sealer and Opener hold a pointer to: the same object for the agent's life.
  wire::Keyring* keyring() { return &keyring_; }

  // `pifleet key install|use|remove|list`.
  void HandleRequest(const wire::ClientRequest& request, const net::UdpAddress& from);
  // After a key command and after a snapshot install: the state machine's cluster keyring
  // becomes this node's when it changed in a later slot than the last one adopted.
  void AdoptClusterKeys();
  // Reports this node's keys through the log when they differ from its row (at once when
  // changed, else at most every kKeyReportTicks).
  void ReportKeys(bool changed);

  // The key a client's request was sealed with, so that its reply uses the same one.
  void NoteClientKey(const net::UdpAddress& from, uint8_t key_id);
  std::optional<uint8_t> ReplyKeyFor(const net::UdpAddress& to) const;

  void AddMetrics(Metrics* metrics) const;

 private:
  std::string KeyringPath() const;
  Status LoadPersistedKeyring(bool* loaded);
  Status LoadKeyFile();
  Status SaveKeyring();
  std::vector<core::NodeId> ConfigMembers() const;
  std::string KeyListPayload() const;
  // The command for a key request, or the reason it is refused.
  Status CommandFor(const wire::ClientRequest& request, sm::KeyCommand* command) const;

  AgentContext& context_;
  OwnProposals& own_;
  ClientRequests& clients_;
  const KeyRotationOptions options_;
  wire::Keyring keyring_;
  uint64_t applied_slot_ = 0;  // slot of the last key command applied to keyring_
  uint64_t reported_tick_ = 0;
  std::map<net::UdpAddress, uint8_t> client_key_ids_;  // at most kClientKeyIdsMax
};

}  // namespace pifleet::daemon
