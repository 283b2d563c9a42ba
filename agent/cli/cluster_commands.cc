// Client commands: status, members, kv put|get|del, leave, metrics. Tables for people, --json
// for scripts. Exit codes: 0 ok, 1 refused, 2 usage, 3 no quorum or timeout.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>

#include "agent/base/text.h"
#include "agent/cli/client.h"
#include "agent/cli/command.h"
#include "agent/cli/members_view.h"
#include "agent/daemon/status_report.h"
#include "agent/sm/kv_op.h"

namespace pifleet::cli {
namespace {

using daemon::Json;
using daemon::JsonText;

// The leader's members table when `view` is a follower's: only the leader hears from every
// member, so LAST HEARD means most there. `view` itself when the leader does not answer.
MembersView LeadersView(const ClientOptions& options, MembersView view) {
  const MemberRow* leader = view.Find(view.leader_id);
  if (view.IsLeadersView() || leader == nullptr || leader->address.empty()) return view;
  ClientOptions to_leader = options;
  to_leader.endpoints = leader->address;
  to_leader.timeout_ms = std::min<uint32_t>(options.timeout_ms, 2000);
  std::unique_ptr<Client> client;
  wire::ClientReply reply;
  if (!Client::Create(to_leader, &client).ok() ||
      !client->Call(wire::ClientOp::kMembers, "", &reply).ok() ||
      reply.code != wire::ReplyCode::kOk) {
    return view;
  }
  MembersView leaders = ParseMembersPayload(reply.payload);
  return leaders.IsLeadersView() ? leaders : view;
}

void InstallStatus(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("status", "Show each endpoint's role, leader and slots");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "One JSON object per line, one line per endpoint");
  cmd->callback([json, &context] {
    std::unique_ptr<Client> client;
    if (Status status = Client::Create(context.client, &client); !status.ok()) {
      context.exit_code = FailCommand("status", status);
      return;
    }
    int answered = 0;
    for (size_t i = 0; i < client->endpoint_count(); ++i) {
      wire::ClientReply reply;
      daemon::StatusReport report;
      Status status = client->CallOne(i, wire::ClientOp::kStatus, "", &reply);
      if (status.ok()) status = daemon::DecodeStatusReport(reply.payload, &report);
      if (!status.ok()) {
        if (*json) {
          const Json line = {{"endpoint", client->endpoint_text(i)}, {"error", status.message()}};
          std::printf("%s\n", JsonText(line).c_str());
        } else {
          std::printf("%s: %s\n\n", client->endpoint_text(i).c_str(),
                      EscapeLinesForTerminal(status.message()).c_str());
        }
        continue;
      }
      ++answered;
      if (*json) {
        Json line = {{"endpoint", client->endpoint_text(i)}};
        line.update(daemon::StatusReportJson(report));
        std::printf("%s\n", JsonText(line).c_str());
      } else {
        std::printf("%s\n%s\n", client->endpoint_text(i).c_str(),
                    EscapeLinesForTerminal(daemon::StatusReportText(report)).c_str());
      }
    }
    context.exit_code = answered > 0 ? kExitOk : kExitNoQuorum;
  });
}

void InstallMembers(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("members", "List the fleet: voters, learners, addresses");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "A JSON array");
  cmd->callback([json, &context] {
    wire::ClientReply reply;
    context.exit_code =
        CallCommand("members", context.client, wire::ClientOp::kMembers, "", &reply);
    if (context.exit_code != kExitOk) return;
    const MembersView view = LeadersView(context.client, ParseMembersPayload(reply.payload));
    if (*json) {
      std::printf("%s\n", JsonText(MembersJson(view)).c_str());
    } else {
      std::fputs(MembersText(view).c_str(), stdout);
    }
  });
}

void InstallKv(CLI::App& app, Context& context) {
  auto* kv = app.add_subcommand("kv", "Read and write the replicated key-value store");
  kv->require_subcommand(1);
  auto key = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  auto consistency = std::make_shared<std::string>("log");

  auto* put = kv->add_subcommand("put", "Set KEY to VALUE (through the log)");
  put->add_option("KEY", *key, "Key")->required();
  put->add_option("VALUE", *value, "Value")->required();
  put->callback([key, value, &context] {
    wire::ClientReply reply;
    const sm::KvOp op{sm::KvKind::kPut, *key, *value, ""};
    context.exit_code =
        CallCommand("kv put", context.client, wire::ClientOp::kKv, sm::EncodeKvOp(op), &reply);
    if (context.exit_code == kExitOk) std::printf("OK\n");
  });

  auto* get = kv->add_subcommand("get", "Print the value of KEY (empty line: absent)");
  get->add_option("KEY", *key, "Key")->required();
  get->add_option("--consistency", *consistency,
                  "log: linearizable, through the log; local: this node's state, maybe stale")
      ->check(CLI::IsMember({"log", "local"}))
      ->capture_default_str();
  get->callback([key, consistency, &context] {
    wire::ClientReply reply;
    if (*consistency == "local") {
      context.exit_code =
          CallCommand("kv get", context.client, wire::ClientOp::kLocalGet, *key, &reply);
    } else {
      const sm::KvOp op{sm::KvKind::kGet, *key, "", ""};
      context.exit_code =
          CallCommand("kv get", context.client, wire::ClientOp::kKv, sm::EncodeKvOp(op), &reply);
    }
    if (context.exit_code == kExitOk) std::printf("%s\n", reply.payload.substr(1).c_str());
  });

  auto* del = kv->add_subcommand("del", "Delete KEY (through the log)");
  del->add_option("KEY", *key, "Key")->required();
  del->callback([key, &context] {
    wire::ClientReply reply;
    const sm::KvOp op{sm::KvKind::kDelete, *key, "", ""};
    context.exit_code =
        CallCommand("kv del", context.client, wire::ClientOp::kKv, sm::EncodeKvOp(op), &reply);
    if (context.exit_code == kExitOk) std::printf("OK\n");
  });
}

void InstallLeave(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("leave", "Remove NODE (its id) from the cluster");
  auto node = std::make_shared<std::string>();
  cmd->add_option("NODE", *node, "Node id, as `pifleet members` shows it")->required();
  cmd->callback([node, &context] {
    uint64_t id = 0;
    const auto [end, error] = std::from_chars(node->data(), node->data() + node->size(), id);
    if (error != std::errc() || end != node->data() + node->size() || id == 0) {
      std::fprintf(stderr,
                   "pifleet leave: '%s' is not a node id (a number, as `pifleet members` "
                   "shows it)\n",
                   node->c_str());
      context.exit_code = kExitUsage;
      return;
    }
    wire::ClientReply reply;
    context.exit_code = CallCommand("leave", context.client, wire::ClientOp::kLeave, *node, &reply);
    if (context.exit_code == kExitOk) std::printf("removal of %s proposed\n", node->c_str());
  });
}

void InstallMetrics(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("metrics", "Print an agent's metrics (Prometheus text)");
  cmd->callback([&context] {
    wire::ClientReply reply;
    context.exit_code =
        CallCommand("metrics", context.client, wire::ClientOp::kMetrics, "", &reply);
    if (context.exit_code == kExitOk) {
      std::fputs(EscapeLinesForTerminal(reply.payload).c_str(), stdout);
    }
  });
}

}  // namespace

void InstallClusterCommands(CLI::App& app, Context& context) {
  InstallStatus(app, context);
  InstallMembers(app, context);
  InstallKv(app, context);
  InstallLeave(app, context);
  InstallMetrics(app, context);
}

}  // namespace pifleet::cli
