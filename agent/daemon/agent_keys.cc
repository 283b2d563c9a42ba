// Keyring rotation without downtime (docs/security.md): `pifleet key install|use|remove` travel
// through the replicated log into the state machine (sm::KeyState), so every node applies the
// same steps in the same order, a node that was down replays what it missed, and one that
// catches up from a snapshot finds them in it. The agent's own keyring follows the state
// machine's (AdoptClusterKeys), persisted in the data dir (0600). Each node reports what it holds
// through the log, so `use` and `remove` refuse a step some member is not ready for. Clients are
// answered in the key they asked with.
#include <algorithm>

#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/wire/keyring_file.h"

namespace pifleet::daemon {
std::string Agent::KeyringPath() const { return config_.data_dir + "/" + wire::kKeyringFileName; }

Status Agent::LoadPersistedKeyring(bool* loaded) {
  *loaded = false;
  Status status = wire::LoadKeyringFile(env_, config_.data_dir, &keyring_, &keyring_applied_slot_);
  if (status.code() == Status::Code::kNotFound) return Status::Ok();
  if (!status.ok()) return status;
  *loaded = true;
  log_->Log(Level::kInfo, "keyring loaded from the data dir",
            {{"PATH", KeyringPath()},
             {"KEYS", std::to_string(keyring_.ids().size())},
             {"PRIMARY", wire::KeyIdText(*keyring_.primary_id())}});
  // The data dir's keyring wins over key_file, as Consul's keyring file wins over `encrypt`:
  // a key removed by `pifleet key remove` must not come back through an old key file.
  std::string text;
  wire::KeyBytes key;
  if (store::ReadFileToString(env_, config_.key_file, &text).ok() &&
      wire::ParseKey(text, &key).ok() && keyring_.Find(wire::KeyId(key)) == nullptr) {
    log_->Log(Level::kWarning,
              "key_file holds a key that is not in the data dir's keyring; it is ignored "
              "(install it with pifleet key install)",
              {{"PATH", config_.key_file}, {"KEY_ID", wire::KeyIdText(wire::KeyId(key))}});
  }
  return Status::Ok();
}

Status Agent::SaveKeyring() {
  return wire::SaveKeyringFile(env_, config_.data_dir, keyring_, keyring_applied_slot_);
}

std::vector<core::NodeId> Agent::ConfigMembers() const {
  const core::Config& latest = core()->membership().Latest();
  std::vector<core::NodeId> members = latest.voters;
  members.insert(members.end(), latest.learners.begin(), latest.learners.end());
  return members;
}

std::string Agent::KeyListPayload() const {
  // One line per installed key: id, 1 if this node's primary, members holding it, members
  // sending with it, members.
  const std::vector<core::NodeId> members = ConfigMembers();
  const sm::KeyTable& reports = state_machine().keys().reports();
  std::vector<uint8_t> ids = keyring_.ids();
  std::sort(ids.begin(), ids.end());
  std::string out;
  for (uint8_t id : ids) {
    out += wire::KeyIdText(id) + "\t" + (keyring_.primary_id() == id ? "1" : "0") + "\t" +
           std::to_string(reports.CountInstalled(id, members)) + "\t" +
           std::to_string(reports.CountPrimary(id, members)) + "\t" +
           std::to_string(members.size()) + "\n";
  }
  return out;
}

void Agent::HandleKeyRequest(const wire::ClientRequest& request, const net::UdpAddress& from) {
  using wire::ClientOp;
  using wire::ReplyCode;
  if (request.op == ClientOp::kKeyList)
    return Reply(from, request, ReplyCode::kOk, KeyListPayload());
  if (auto done = state_machine().keys().Result(request.client_id, request.sequence)) {
    // A retry of a command already applied: its first answer.
    return Reply(from, request, done->empty() ? ReplyCode::kOk : ReplyCode::kError, "", *done);
  }
  sm::KeyCommand command;
  Status check = Status::Ok();
  uint8_t key_id = 0;
  if (request.op == ClientOp::kKeyInstall) {
    command.kind = sm::KeyCommandKind::kInstall;
    if (request.payload.size() != wire::kKeyBytes) {
      return Reply(from, request, ReplyCode::kError, "", "a key is 32 bytes");
    }
    std::copy(request.payload.begin(), request.payload.end(), command.key.begin());
    wire::Keyring trial = keyring_;
    check = trial.Install(command.key);
  } else if (request.payload.size() != 1) {
    return Reply(from, request, ReplyCode::kError, "", "malformed key id");
  } else {
    key_id = static_cast<uint8_t>(request.payload[0]);
    command.key_id = key_id;
    if (keyring_.Find(key_id) == nullptr) {
      check = Status::NotFound("no installed key with id " + wire::KeyIdText(key_id));
    } else if (request.op == ClientOp::kKeyUse) {
      command.kind = sm::KeyCommandKind::kUse;
      check = state_machine().keys().reports().CheckUse(key_id, ConfigMembers());
    } else {
      command.kind = sm::KeyCommandKind::kRemove;
      check = state_machine().keys().reports().CheckRemove(key_id, *keyring_.primary_id(),
                                                           ConfigMembers());
    }
  }
  if (!check.ok()) return Reply(from, request, ReplyCode::kError, "", check.message());
  if (request.session == 0) return Reply(from, request, ReplyCode::kError, "", "no session");
  ProposeForClient(request, from,
                   {request.session,
                    request.sequence,
                    core::CommandKind::kApp,
                    sm::EncodeKeyCommand(command),
                    {}});
}

void Agent::AdoptClusterKeys() {
  const sm::ClusterKeys& cluster = state_machine().keys().keyring();
  // At or below keyring_applied_slot_ this is a replay after a restart (or an older snapshot):
  // the persisted keyring already holds its effect and maybe later ones, which it must not lose.
  if (cluster.changed_slot() <= keyring_applied_slot_) return;
  std::vector<std::string> skipped;
  wire::Keyring next = cluster.MergeInto(keyring_, &skipped);
  for (const std::string& step : skipped) {
    log_->Log(Level::kWarning, "keyring: a step of the cluster keyring does not apply here",
              {{"STEP", step}, {"SLOT", std::to_string(cluster.changed_slot())}});
  }
  keyring_ = std::move(next);  // Sealer and Opener hold a pointer to keyring_: same object
  keyring_applied_slot_ = cluster.changed_slot();
  if (Status saved = SaveKeyring(); !saved.ok()) {
    log_->Log(Level::kError, "cannot persist the keyring; a restart would lose this change",
              {{"DETAIL", saved.ToString()}});
  }
  std::vector<uint8_t> ids = keyring_.ids();
  std::sort(ids.begin(), ids.end());
  std::string listed;
  for (uint8_t id : ids) listed += (listed.empty() ? "" : ",") + wire::KeyIdText(id);
  log_->Log(Level::kNotice, "keyring follows the cluster keyring",
            {{"SLOT", std::to_string(keyring_applied_slot_)},
             {"KEYS", listed},
             {"PRIMARY", wire::KeyIdText(*keyring_.primary_id())}});
  asio::post(io_, [this] { ReportKeys(true); });
}

void Agent::ReportKeys(bool changed) {
  if (!core() || !core()->membership().Latest().Contains(meta_.node_id)) return;
  sm::KeyCommand state;
  state.kind = sm::KeyCommandKind::kState;
  state.node = meta_.node_id;
  state.key_id = *keyring_.primary_id();
  state.ids = keyring_.ids();
  std::sort(state.ids.begin(), state.ids.end());
  const sm::NodeKeys* row = state_machine().keys().reports().Find(meta_.node_id);
  if (row != nullptr && row->primary == state.key_id && row->ids == state.ids) return;
  if (!changed && ticks_ < keys_reported_tick_ + kKeyReportTicks) return;
  keys_reported_tick_ = ticks_;
  ProposeInternal({0, 0, core::CommandKind::kApp, sm::EncodeKeyCommand(state), {}});
}

void Agent::NoteClientKey(const net::UdpAddress& from, uint8_t key_id) {
  if (keyring_.primary_id() == key_id) {
    client_key_ids_.erase(from);
    return;
  }
  if (client_key_ids_.size() >= kClientKeyIdsMax && !client_key_ids_.count(from)) {
    client_key_ids_.erase(client_key_ids_.begin());
  }
  client_key_ids_[from] = key_id;
}

std::optional<uint8_t> Agent::ReplyKeyFor(const net::UdpAddress& to) const {
  auto it = client_key_ids_.find(to);
  if (it == client_key_ids_.end() || keyring_.Find(it->second) == nullptr) return std::nullopt;
  return it->second;
}

}  // namespace pifleet::daemon
