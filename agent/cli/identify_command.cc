// `pifleet identify NODE [--seconds S]`: blink one Pi's status LED so a person finds it in the
// rack. NODE is an id or a name as `pifleet members` shows it. The CLI looks NODE up in the
// members table through --endpoints, then asks that node's own agent at its listed address
// (ClientOp::kIdentify, payload "NODE_ID SECONDS"); the agent checks the id is its own.
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/cli/client.h"
#include "agent/cli/command.h"
#include "agent/wire/client_bodies.h"
#include "hal/constants.h"

namespace pifleet::cli {
namespace {

struct Target {
  std::string id;
  std::string name;
  std::string address;
};

// The rows of the members payload whose id or name is `node`.
std::vector<Target> FindMember(const std::string& members_payload, const std::string& node) {
  std::vector<Target> found;
  wire::MembersBody members;
  if (!wire::DecodeBody(members_payload, &members)) return found;
  for (const wire::MemberRow& m : members.rows) {
    Target row{std::to_string(m.node_id), m.name, m.address};
    if (row.id == node || (!row.name.empty() && row.name == node)) found.push_back(row);
  }
  return found;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "pifleet identify: %s\n", status.message().c_str());
  return status.code() == Status::Code::kTimeout ? kExitNoQuorum : kExitError;
}

// One request through `options`; an error reply is printed and exits 1.
int Ask(const ClientOptions& options, wire::ClientOp op, const std::string& payload,
        wire::ClientReply* reply) {
  std::unique_ptr<Client> client;
  if (Status status = Client::Create(options, &client); !status.ok()) {
    std::fprintf(stderr, "pifleet identify: %s\n", status.message().c_str());
    return kExitUsage;
  }
  if (Status status = client->Call(op, payload, reply); !status.ok()) return Fail(status);
  if (reply->code != wire::ReplyCode::kOk) {
    std::fprintf(stderr, "pifleet identify: %s\n", reply->error.c_str());
    return kExitError;
  }
  return kExitOk;
}

int RunIdentify(const ClientOptions& options, const std::string& node, uint32_t seconds) {
  wire::ClientReply members;
  if (int code = Ask(options, wire::ClientOp::kMembers, "", &members); code != kExitOk) {
    return code;
  }
  const std::vector<Target> found = FindMember(members.payload, node);
  if (found.empty()) {
    std::fprintf(stderr, "pifleet identify: no member '%s' (see pifleet members)\n", node.c_str());
    return kExitError;
  }
  if (found.size() > 1) {
    std::string ids;
    for (const Target& t : found) ids += " " + t.id;
    std::fprintf(stderr, "pifleet identify: '%s' names several members; use an id:%s\n",
                 node.c_str(), ids.c_str());
    return kExitError;
  }
  const Target& target = found.front();
  if (target.address.empty()) {
    std::fprintf(stderr, "pifleet identify: node %s has no known address yet\n", target.id.c_str());
    return kExitError;
  }
  ClientOptions direct = options;
  direct.endpoints = target.address;
  wire::ClientReply reply;
  const std::string payload = target.id + " " + std::to_string(seconds);
  if (int code = Ask(direct, wire::ClientOp::kIdentify, payload, &reply); code != kExitOk) {
    return code;
  }
  std::printf("node %s (%s) at %s: identify for %u s\n", target.id.c_str(), target.name.c_str(),
              target.address.c_str(), seconds);
  return kExitOk;
}

}  // namespace

void InstallIdentifyCommand(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("identify", "Blink NODE's status LED to find it in the rack");
  auto node = std::make_shared<std::string>();
  auto seconds = std::make_shared<uint32_t>(hal::kIdentifySecondsDefault);
  cmd->add_option("NODE", *node, "Node id or name, as `pifleet members` shows it")->required();
  cmd->add_option("--seconds", *seconds, "How long to blink")
      ->check(CLI::Range(1u, hal::kIdentifySecondsMax))
      ->capture_default_str();
  cmd->callback([node, seconds, &context] {
    context.exit_code = RunIdentify(context.client, *node, *seconds);
  });
}

}  // namespace pifleet::cli
