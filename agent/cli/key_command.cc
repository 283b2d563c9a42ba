// `pifleet key install KEYFILE|-`, `key use KEYID`, `key remove KEYID`, `key list [--json]`:
// keyring rotation without downtime, after Consul's keyring (docs/security.md). install, use and
// remove go through the replicated log; the agent refuses a step some member is not ready for.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/cli/client.h"
#include "agent/cli/command.h"
#include "agent/daemon/status_report.h"
#include "agent/store/posix_env.h"
#include "agent/wire/keyring.h"

namespace pifleet::cli {
namespace {

// Reads the key to install from a file or, for "-", from stdin.
Status ReadKeyArgument(const std::string& path, wire::KeyBytes* key) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (Status status = store::ReadFileToString(store::PosixEnv(), path, &text);
             !status.ok()) {
    return Status::IOError("cannot read " + path + ": " + status.message());
  }
  if (Status status = wire::ParseKey(text, key); !status.ok()) {
    return Status::IOError((path == "-" ? std::string("stdin") : path) + ": " + status.message());
  }
  return Status::Ok();
}

void InstallInstall(CLI::App& key_command, Context& context) {
  auto* cmd =
      key_command.add_subcommand("install", "Add a key to every node's keyring (receive only)");
  auto path = std::make_shared<std::string>();
  cmd->add_option("KEYFILE", *path, "Key file as pifleet keygen writes it; - reads stdin")
      ->required();
  cmd->callback([path, &context] {
    wire::KeyBytes key;
    if (Status status = ReadKeyArgument(*path, &key); !status.ok()) {
      context.exit_code = FailCommand("key install", status);
      return;
    }
    wire::ClientReply reply;
    const std::string payload(key.begin(), key.end());
    context.exit_code =
        CallCommand("key install", context.client, wire::ClientOp::kKeyInstall, payload, &reply);
    if (context.exit_code == kExitOk) {
      std::printf("installed key %s\n", wire::KeyIdText(wire::KeyId(key)).c_str());
    }
  });
}

void InstallIdCommand(CLI::App& key_command, Context& context, const char* name, const char* help,
                      wire::ClientOp op, const char* done) {
  auto* cmd = key_command.add_subcommand(name, help);
  auto id_text = std::make_shared<std::string>();
  cmd->add_option("KEYID", *id_text, "Key id (two hex digits, as pifleet key list shows)")
      ->required();
  const std::string command = std::string("key ") + name;
  cmd->callback([id_text, op, done, command, &context] {
    uint8_t id = 0;
    if (!wire::ParseKeyIdText(*id_text, &id)) {
      std::fprintf(stderr, "pifleet %s: '%s' is not a key id (two hex digits)\n", command.c_str(),
                   id_text->c_str());
      context.exit_code = kExitUsage;
      return;
    }
    wire::ClientReply reply;
    context.exit_code = CallCommand(command.c_str(), context.client, op,
                                    std::string(1, static_cast<char>(id)), &reply);
    if (context.exit_code == kExitOk) std::printf("%s %s\n", done, wire::KeyIdText(id).c_str());
  });
}

void InstallList(CLI::App& key, Context& context) {
  auto* cmd =
      key.add_subcommand("list", "Installed keys, the primary, and how many nodes hold each");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "A JSON array");
  cmd->callback([json, &context] {
    wire::ClientReply reply;
    context.exit_code =
        CallCommand("key list", context.client, wire::ClientOp::kKeyList, "", &reply);
    if (context.exit_code != kExitOk) return;
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(reply.payload);
    std::string line;
    while (std::getline(lines, line)) {
      std::vector<std::string> fields;
      std::istringstream cells(line);
      std::string cell;
      while (std::getline(cells, cell, '\t')) fields.push_back(cell);
      if (fields.size() == 5) rows.push_back(fields);
    }
    if (*json) {
      std::string out = "[";
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        out += std::string(i ? "," : "") + "{\"key_id\":" + daemon::JsonString(r[0]) +
               ",\"primary\":" + (r[1] == "1" ? "true" : "false") + ",\"installed_on\":" + r[2] +
               ",\"primary_on\":" + r[3] + ",\"members\":" + r[4] + "}";
      }
      std::printf("%s]\n", out.c_str());
      return;
    }
    std::printf("%-7s %-8s %-13s %s\n", "KEY ID", "PRIMARY", "INSTALLED ON", "PRIMARY ON");
    for (const auto& r : rows) {
      std::printf("%-7s %-8s %-13s %s\n", r[0].c_str(), r[1] == "1" ? "yes" : "no",
                  (r[2] + "/" + r[4]).c_str(), (r[3] + "/" + r[4]).c_str());
    }
  });
}

}  // namespace

void InstallKeyCommand(CLI::App& app, Context& context) {
  auto* key = app.add_subcommand("key", "Rotate the cluster key: install, use, remove, list");
  key->require_subcommand(1);
  InstallInstall(*key, context);
  InstallIdCommand(*key, context, "use", "Make an installed key the primary (send with it)",
                   wire::ClientOp::kKeyUse, "primary key is now");
  InstallIdCommand(*key, context, "remove", "Remove a key that is not the primary",
                   wire::ClientOp::kKeyRemove, "removed key");
  InstallList(*key, context);
}

}  // namespace pifleet::cli
