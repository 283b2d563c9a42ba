// `pifleet config set KEY VALUE | unset KEY | get KEY | list [--json]`: the cluster's runtime
// settings (sm/settings.h, docs/configuration.md). set and unset go through the log; get and
// list show what the answering node has in effect. A key that is no setting, or a value out of
// its range, exits 2 naming the key and the allowed range, before anything is sent.
#include <cstdio>
#include <memory>

#include "agent/cli/client.h"
#include "agent/cli/kv_txn_call.h"
#include "agent/sm/settings.h"
#include "agent/wire/client_bodies.h"
#include "agent/wire/config_bodies.h"

namespace pifleet::cli {
namespace {

int Set(Context& context, const std::string& key, const std::string& value, bool unset, bool json) {
  const char* command = unset ? "config unset" : "config set";
  const std::string why = sm::CheckSettingChange(key, value, unset);
  if (!why.empty()) return FailCommand(command, Status::InvalidArgument(why));
  wire::ClientReply reply;
  const int code = CallCommand(command, context.client, wire::ClientOp::kConfigSet,
                               wire::EncodeBody(wire::ConfigSetBody{key, value, unset}), &reply);
  if (code != kExitOk) return code;
  wire::KvReplyBody body;
  if (Status status = CheckCommandReply(reply, &body); !status.ok()) {
    return FailCommand(command, status);
  }
  wire::TxnReplyBody txn;
  if (!wire::DecodeBody(body.value, &txn)) {
    std::fprintf(stderr, "pifleet %s: malformed reply from the agent\n", command);
    return kExitError;
  }
  if (json) {
    std::printf("%s\n", DumpJson({{"key", key}, {"revision", txn.revision}}).c_str());
  } else {
    std::printf("%s\n", unset ? "OK (each node is back to its own value)" : "OK");
  }
  return kExitOk;
}

nlohmann::json RowJson(const wire::ConfigRow& row) {
  return {{"key", row.name},
          {"value", row.value},
          {"source", row.from_cluster ? "cluster" : "node"},
          {"mod_revision", row.mod_revision},
          {"allowed", row.allowed}};
}

// One key (or every key when `key` is empty) as the answering node has it.
int Show(Context& context, const std::string& key, bool json) {
  const char* command = key.empty() ? "config list" : "config get";
  if (!key.empty() && !sm::FindSetting(key)) {
    return FailCommand(command, Status::InvalidArgument(sm::CheckSetting(key, "")));
  }
  wire::ClientReply reply;
  const int code = CallCommand(command, context.client, wire::ClientOp::kConfigList, "", &reply);
  if (code != kExitOk) return code;
  wire::ConfigListBody body;
  if (!wire::DecodeBody(reply.payload, &body)) {
    std::fprintf(stderr, "pifleet %s: malformed reply from the agent\n", command);
    return kExitError;
  }
  if (key.empty() && !json) {
    std::printf("%-22s %-10s %-8s %s\n", "KEY", "VALUE", "SOURCE", "ALLOWED");
  }
  bool found = false;
  for (const wire::ConfigRow& row : body.rows) {
    if (!key.empty() && row.name != key) continue;
    found = true;
    if (json) {
      std::printf("%s\n", DumpJson(RowJson(row)).c_str());
    } else if (!key.empty()) {
      std::printf("%s\n", row.value.c_str());
    } else {
      std::printf("%-22s %-10s %-8s %s\n", row.name.c_str(), row.value.c_str(),
                  row.from_cluster ? "cluster" : "node", row.allowed.c_str());
    }
  }
  if (!found && !key.empty()) {
    std::fprintf(stderr, "pifleet %s: the agent does not know '%s' (an older version?)\n", command,
                 key.c_str());
    return kExitError;
  }
  return kExitOk;
}

std::string SettingsHelp() {
  std::string help = "Runtime settings:";
  for (const sm::SettingSpec& spec : sm::SettingSpecs()) {
    help += "\n  " + std::string(spec.name) + " (" + std::string(spec.allowed) +
            "): " + std::string(spec.meaning);
  }
  return help;
}

}  // namespace

void InstallConfigCommand(CLI::App& app, Context& context) {
  auto* config = app.add_subcommand(
      "config", "The cluster's runtime settings: replicated, applied on every node at once");
  config->require_subcommand(1);
  config->footer(SettingsHelp() +
                 "\nExit codes: 0 done, 1 no agent answered or the cluster refused, 2 usage (an "
                 "unknown key or a value out of its range).");
  auto key = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* set = config->add_subcommand("set", "Set KEY to VALUE on the whole cluster");
  set->add_option("KEY", *key, "A runtime setting")->required();
  set->add_option("VALUE", *value, "Its new value")->required();
  set->add_flag("--json", *json, R"(Print {"key": K, "revision": N})");
  set->callback([=, &context] { context.exit_code = Set(context, *key, *value, false, *json); });
  auto* unset = config->add_subcommand(
      "unset", "Remove the cluster's value of KEY: each node goes back to its own");
  unset->add_option("KEY", *key, "A runtime setting")->required();
  unset->add_flag("--json", *json, R"(Print {"key": K, "revision": N})");
  unset->callback([=, &context] { context.exit_code = Set(context, *key, "", true, *json); });
  auto* get = config->add_subcommand("get", "The value of KEY in effect on the answering node");
  get->add_option("KEY", *key, "A runtime setting")->required();
  get->add_flag("--json", *json,
                "One object: key, value, source (cluster|node), mod_revision, allowed");
  get->callback([=, &context] { context.exit_code = Show(context, *key, *json); });
  auto* list =
      config->add_subcommand("list", "Every runtime setting in effect on the answering node");
  list->add_flag("--json", *json,
                 "One object per setting: key, value, source, mod_revision, allowed");
  list->callback([=, &context] { context.exit_code = Show(context, "", *json); });
}

}  // namespace pifleet::cli
