// Client commands: status, members, leave, metrics (kv: kv_command.cc). Tables for people, --json
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
#include "agent/wire/client_bodies.h"

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
  MembersView leaders;
  if (!Client::Create(to_leader, &client).ok() ||
      !client->Call(wire::ClientOp::kMembers, "", &reply).ok() ||
      reply.code != wire::ReplyCode::kOk || !wire::DecodeBody(reply.payload, &leaders)) {
    return view;
  }
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
    MembersView answered;
    if (!wire::DecodeBody(reply.payload, &answered)) {
      std::fprintf(stderr,
                   "pifleet members: the agent's reply is malformed (a different version?)\n");
      context.exit_code = kExitError;
      return;
    }
    const MembersView view = LeadersView(context.client, std::move(answered));
    if (*json) {
      std::printf("%s\n", JsonText(MembersJson(view)).c_str());
    } else {
      std::fputs(MembersText(view).c_str(), stdout);
    }
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
  InstallKvCommand(app, context);
  InstallLeave(app, context);
  InstallMetrics(app, context);
}

}  // namespace pifleet::cli
