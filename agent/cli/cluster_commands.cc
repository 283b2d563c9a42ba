// Client commands: status, members, leave, metrics (kv: kv_command.cc). Tables for people, --json
// for scripts. Exit codes: 0 ok, 1 refused, 2 usage, 3 no quorum or timeout.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "agent/base/text.h"
#include "agent/cli/client.h"
#include "agent/cli/command.h"
#include "agent/daemon/status_report.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::cli {
namespace {

using daemon::JsonString;

// The members reply (wire::MemberRow) as text fields, in the order the table prints them.
std::vector<std::vector<std::string>> SplitTable(const std::string& payload) {
  std::vector<wire::MemberRow> members;
  std::vector<std::vector<std::string>> rows;
  if (!wire::DecodeBody(payload, &members)) return rows;
  for (const wire::MemberRow& m : members) {
    rows.push_back({std::to_string(m.node_id), m.name, m.address, m.voting, m.role, m.version,
                    m.board, m.serial, std::to_string(m.last_heard_ms),
                    std::to_string(m.capacity_milli), std::to_string(m.temperature_milli),
                    std::to_string(m.throttled_bits)});
  }
  return rows;
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
          std::printf("{\"endpoint\":%s,\"error\":%s}\n",
                      JsonString(client->endpoint_text(i)).c_str(),
                      JsonString(status.message()).c_str());
        } else {
          std::printf("%s: %s\n\n", client->endpoint_text(i).c_str(),
                      EscapeLinesForTerminal(status.message()).c_str());
        }
        continue;
      }
      ++answered;
      if (*json) {
        std::string line = daemon::StatusReportJson(report);
        line.insert(1, "\"endpoint\":" + JsonString(client->endpoint_text(i)) + ",");
        std::printf("%s\n", line.c_str());
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
    const auto rows = SplitTable(reply.payload);
    if (*json) {
      std::string out = "[";
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        out += std::string(i ? "," : "") + "{\"node_id\":" + r[0] +
               ",\"name\":" + JsonString(r[1]) + ",\"address\":" + JsonString(r[2]) +
               ",\"voting\":" + JsonString(r[3]) + ",\"role\":" + JsonString(r[4]) +
               ",\"version\":" + JsonString(r[5]) + ",\"board\":" + JsonString(r[6]) +
               ",\"serial\":" + JsonString(r[7]) + ",\"last_heard_ms\":" + r[8] +
               ",\"capacity_milli\":" + r[9] + ",\"temperature_milli\":" + r[10] +
               ",\"throttled_bits\":" + r[11] + "}";
      }
      std::printf("%s]\n", out.c_str());
      return;
    }
    std::printf("%-20s %-16s %-22s %-8s %-8s %-9s %-6s %s\n", "NODE", "NAME", "ADDRESS", "VOTING",
                "ROLE", "CAPACITY", "TEMP", "LAST HEARD");
    for (auto r : rows) {
      for (std::string& cell : r) cell = EscapeForTerminal(cell);  // names come from the network
      const std::string heard = r[8] == "-1" ? "never" : r[8] + " ms ago";
      // Capacity in Mops and degrees C, from the x1000 integers of the members table.
      const std::string capacity = std::to_string(std::atoll(r[9].c_str()) / 1000);
      const std::string temp =
          r[10] == "0" ? "-" : std::to_string(std::atoll(r[10].c_str()) / 1000);
      std::printf("%-20s %-16s %-22s %-8s %-8s %-9s %-6s %s\n", r[0].c_str(), r[1].c_str(),
                  r[2].c_str(), r[3].c_str(), r[4].c_str(), capacity.c_str(), temp.c_str(),
                  heard.c_str());
    }
  });
}

void InstallLeave(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("leave", "Remove NODE (its id) from the cluster");
  auto node = std::make_shared<std::string>();
  cmd->add_option("NODE", *node, "Node id, as `pifleet members` shows it")->required();
  cmd->callback([node, &context] {
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
