#include "agent/daemon/key_rotation.h"

#include <algorithm>
#include <cstdio>

#include "agent/daemon/daemon_constants.h"
#include "agent/sm/key_commands.h"
#include "agent/wire/keyring_file.h"

namespace pifleet::daemon {

KeyRotation::KeyRotation(AgentContext& context, OwnProposals& own, ClientRequests& clients,
                         KeyRotationOptions options)
    : context_(context), own_(own), clients_(clients), options_(std::move(options)) {}

std::string KeyRotation::KeyringPath() const {
  return options_.data_dir + "/" + wire::kKeyringFileName;
}

Status KeyRotation::Load() {
  bool loaded = false;
  if (Status status = LoadPersistedKeyring(&loaded); !status.ok() || loaded) return status;
  if (Status status = LoadKeyFile(); !status.ok()) return status;
  return SaveKeyring();
}

Status KeyRotation::LoadPersistedKeyring(bool* loaded) {
  *loaded = false;
  Status status = wire::LoadKeyringFile(options_.env, options_.data_dir, &keyring_, &applied_slot_);
  if (status.code() == Status::Code::kNotFound) return Status::Ok();
  if (!status.ok()) return status;
  *loaded = true;
  context_.logger().Log(Level::kInfo, "keyring loaded from the data dir",
                        {{"PATH", KeyringPath()},
                         {"KEYS", std::to_string(keyring_.ids().size())},
                         {"PRIMARY", wire::KeyIdText(*keyring_.primary_id())}});
  // The data dir's keyring wins over key_file, as Consul's keyring file wins over `encrypt`:
  // a key removed by `pifleet key remove` must not come back through an old key file.
  std::string text;
  wire::KeyBytes key;
  if (store::ReadFileToString(options_.env, options_.key_file, &text).ok() &&
      wire::ParseKey(text, &key).ok() && keyring_.Find(wire::KeyId(key)) == nullptr) {
    context_.logger().Log(
        Level::kWarning,
        "key_file holds a key that is not in the data dir's keyring; it is ignored "
        "(install it with pifleet key install)",
        {{"PATH", options_.key_file}, {"KEY_ID", wire::KeyIdText(wire::KeyId(key))}});
  }
  return Status::Ok();
}

Status KeyRotation::LoadKeyFile() {
  const std::string& path = options_.key_file;
  std::string text;
  if (Status status = store::ReadFileToString(options_.env, path, &text); !status.ok()) {
    return Status::InvalidArgument(
        "cannot read the cluster key " + path +
        " (create one with: pifleet keygen > cluster.key): " + status.message());
  }
  // As ssh does with private keys: a key others can read may be known to them already.
  uint32_t mode = 0;
  if (options_.env->GetFileMode(path, &mode).ok() && (mode & 077) != 0) {
    char mode_text[8];
    std::snprintf(mode_text, sizeof(mode_text), "%04o",
                  static_cast<unsigned>(mode & store::kModePermissions));
    return Status::IOError("the cluster key file " + path + " has mode " + mode_text +
                           ": others may read it; chmod 600 it (and consider "
                           "the key leaked if others could log in)");
  }
  wire::KeyBytes key;
  if (Status status = wire::ParseKey(text, &key); !status.ok()) {
    return Status::InvalidArgument(path + ": " + status.message());
  }
  return keyring_.Install(key);
}

Status KeyRotation::SaveKeyring() {
  return wire::SaveKeyringFile(options_.env, options_.data_dir, keyring_, applied_slot_);
}

std::vector<core::NodeId> KeyRotation::ConfigMembers() const {
  const core::Config& latest = context_.core()->membership().Latest();
  std::vector<core::NodeId> members = latest.voters;
  members.insert(members.end(), latest.learners.begin(), latest.learners.end());
  return members;
}

std::string KeyRotation::KeyListPayload() const {
  // One line per installed key: id, 1 if this node's primary, members holding it, members
  // sending with it, members.
  const std::vector<core::NodeId> members = ConfigMembers();
  const sm::KeyTable& reports = context_.state_machine().keys().reports();
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

void KeyRotation::HandleRequest(const wire::ClientRequest& request, const net::UdpAddress& from) {
  using wire::ReplyCode;
  if (request.op == wire::ClientOp::kKeyList) {
    return Reply(context_, from, request, ReplyCode::kOk, KeyListPayload());
  }
  if (auto done = context_.state_machine().keys().Result(request.client_id, request.sequence)) {
    // A retry of a command already applied: its first answer.
    return Reply(context_, from, request, done->empty() ? ReplyCode::kOk : ReplyCode::kError, "",
                 *done);
  }
  sm::KeyCommand command;
  if (Status check = CommandFor(request, &command); !check.ok()) {
    return Reply(context_, from, request, ReplyCode::kError, "", check.message());
  }
  if (request.session == 0) {
    return Reply(context_, from, request, ReplyCode::kError, "", "no session");
  }
  clients_.ProposeFor(request, from,
                      {request.session,
                       request.sequence,
                       core::CommandKind::kApp,
                       sm::EncodeKeyCommand(command),
                       {}});
}

Status KeyRotation::CommandFor(const wire::ClientRequest& request, sm::KeyCommand* command) const {
  if (request.op == wire::ClientOp::kKeyInstall) {
    command->kind = sm::KeyCommandKind::kInstall;
    if (request.payload.size() != wire::kKeyBytes) {
      return Status::InvalidArgument("a key is 32 bytes");
    }
    std::copy(request.payload.begin(), request.payload.end(), command->key.begin());
    wire::Keyring trial = keyring_;
    return trial.Install(command->key);
  }
  if (request.payload.size() != 1) return Status::InvalidArgument("malformed key id");
  const auto key_id = static_cast<uint8_t>(request.payload[0]);
  command->key_id = key_id;
  if (keyring_.Find(key_id) == nullptr) {
    return Status::NotFound("no installed key with id " + wire::KeyIdText(key_id));
  }
  const sm::KeyTable& reports = context_.state_machine().keys().reports();
  if (request.op == wire::ClientOp::kKeyUse) {
    command->kind = sm::KeyCommandKind::kUse;
    return reports.CheckUse(key_id, ConfigMembers());
  }
  command->kind = sm::KeyCommandKind::kRemove;
  return reports.CheckRemove(key_id, *keyring_.primary_id(), ConfigMembers());
}

void KeyRotation::AdoptClusterKeys() {
  const sm::ClusterKeys& cluster = context_.state_machine().keys().keyring();
  // At or below applied_slot_ this is a replay after a restart (or an older snapshot): the
  // persisted keyring already holds its effect and maybe later ones, which it must not lose.
  if (cluster.changed_slot() <= applied_slot_) return;
  std::vector<std::string> skipped;
  wire::Keyring next = cluster.MergeInto(keyring_, &skipped);
  for (const std::string& step : skipped) {
    context_.logger().Log(Level::kWarning,
                          "keyring: a step of the cluster keyring does not apply here",
                          {{"STEP", step}, {"SLOT", std::to_string(cluster.changed_slot())}});
  }
  keyring_ = std::move(next);  // Sealer and Opener hold a pointer to keyring_: same object
  applied_slot_ = cluster.changed_slot();
  if (Status saved = SaveKeyring(); !saved.ok()) {
    context_.logger().Log(Level::kError,
                          "cannot persist the keyring; a restart would lose this change",
                          {{"DETAIL", saved.ToString()}});
  }
  std::vector<uint8_t> ids = keyring_.ids();
  std::sort(ids.begin(), ids.end());
  std::string listed;
  for (uint8_t id : ids) listed += (listed.empty() ? "" : ",") + wire::KeyIdText(id);
  context_.logger().Log(Level::kNotice, "keyring follows the cluster keyring",
                        {{"SLOT", std::to_string(applied_slot_)},
                         {"KEYS", listed},
                         {"PRIMARY", wire::KeyIdText(*keyring_.primary_id())}});
  context_.Post([this] { ReportKeys(true); });
}

void KeyRotation::ReportKeys(bool changed) {
  const core::Core* core = context_.core();
  const core::NodeId self = context_.node_id();
  if (core == nullptr || !core->membership().Latest().Contains(self)) return;
  sm::KeyCommand state;
  state.kind = sm::KeyCommandKind::kState;
  state.node = self;
  state.key_id = *keyring_.primary_id();
  state.ids = keyring_.ids();
  std::sort(state.ids.begin(), state.ids.end());
  const sm::NodeKeys* row = context_.state_machine().keys().reports().Find(self);
  if (row != nullptr && row->primary == state.key_id && row->ids == state.ids) return;
  if (!changed && context_.ticks() < reported_tick_ + kKeyReportTicks) return;
  reported_tick_ = context_.ticks();
  own_.Propose({0, 0, core::CommandKind::kApp, sm::EncodeKeyCommand(state), {}});
}

void KeyRotation::NoteClientKey(const net::UdpAddress& from, uint8_t key_id) {
  if (keyring_.primary_id() == key_id) {
    client_key_ids_.erase(from);
    return;
  }
  if (client_key_ids_.size() >= kClientKeyIdsMax && client_key_ids_.count(from) == 0) {
    client_key_ids_.erase(client_key_ids_.begin());
  }
  client_key_ids_[from] = key_id;
}

std::optional<uint8_t> KeyRotation::ReplyKeyFor(const net::UdpAddress& to) const {
  auto it = client_key_ids_.find(to);
  if (it == client_key_ids_.end() || keyring_.Find(it->second) == nullptr) return std::nullopt;
  return it->second;
}

void KeyRotation::AddMetrics(Metrics* metrics) const {
  using T = Metrics::Type;
  metrics->Declare("pifleet_keyring_keys", T::kGauge, "Keys installed in this node's keyring.");
  metrics->Set("pifleet_keyring_keys", {}, static_cast<double>(keyring_.ids().size()));
  metrics->Declare("pifleet_keyring_primary_info", T::kGauge, "The primary key's id.");
  metrics->Set("pifleet_keyring_primary_info",
               {{"key_id", wire::KeyIdText(*keyring_.primary_id())}}, 1);
}

}  // namespace pifleet::daemon
