// `pifleet kv put|get|del`: the replicated key-value store. A put's value comes from the command
// line or from `--file F` (`-` reads stdin), up to sm::kKvValueBytesMax bytes; a larger one fails
// at once (exit 1). `kv get` of an absent key exits 4, so an empty value (exit 0, empty line) is
// told apart from it; `--json` says "found" either way.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/cli/client.h"
#include "agent/cli/command.h"
#include "agent/core/constants.h"
#include "agent/sm/kv_op.h"
#include "agent/store/env.h"
#include "agent/store/posix_env.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::cli {
namespace {

// Reads --file F (or stdin for "-") into *value; an error message on failure.
Status ReadValueFile(const std::string& file, std::string* value) {
  if (file == "-") {
    value->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) return Status::IOError("cannot read the value from stdin");
    return Status::Ok();
  }
  if (Status status = store::ReadFileToString(store::PosixEnv(), file, value); !status.ok()) {
    return Status::IOError("cannot read --file " + file + ": " + status.message());
  }
  return Status::Ok();
}

// Checks the bounds before anything is sent: exit 1 with the sizes, never a timeout.
Status CheckBounds(const wire::KvRequestBody& body) {
  if (body.value.size() > sm::kKvValueBytesMax) {
    return Status::IOError("value of " + std::to_string(body.value.size()) +
                           " bytes exceeds the limit of " + std::to_string(sm::kKvValueBytesMax));
  }
  const size_t command_bytes =
      sm::EncodeKvOp(sm::KvOp{static_cast<sm::KvKind>(body.kind), body.key, body.value, ""}).size();
  if (command_bytes > core::kCommandBytesMax) {
    return Status::IOError("command of " + std::to_string(command_bytes) +
                           " bytes (key and value) exceeds the limit of " +
                           std::to_string(core::kCommandBytesMax));
  }
  return Status::Ok();
}

// Sends one kv command; on exit 0 *out is the state machine's answer.
int KvCall(const char* command, Context& context, const wire::KvRequestBody& body,
           wire::KvReplyBody* out) {
  if (Status status = CheckBounds(body); !status.ok()) return FailCommand(command, status);
  wire::ClientReply reply;
  const int code =
      CallCommand(command, context.client, wire::ClientOp::kKv, wire::EncodeBody(body), &reply);
  if (code != kExitOk) return code;
  if (!wire::DecodeBody(reply.payload, out)) {
    std::fprintf(stderr, "pifleet %s: malformed reply from the agent\n", command);
    return kExitError;
  }
  if (out->outcome == wire::KvReplyBody::Outcome::kRefused) {
    std::fprintf(stderr, "pifleet %s: refused: %s\n", command, out->value.c_str());
    return kExitError;
  }
  return kExitOk;
}

int RunGet(Context& context, const std::string& key, const std::string& consistency, bool json) {
  wire::KvReplyBody body;
  int code = kExitOk;
  if (consistency == "local") {
    wire::ClientReply reply;
    code = CallCommand("kv get", context.client, wire::ClientOp::kLocalGet,
                       wire::EncodeBody(wire::LocalGetBody{key}), &reply);
    if (code == kExitOk && !wire::DecodeBody(reply.payload, &body)) {
      std::fprintf(stderr, "pifleet kv get: malformed reply from the agent\n");
      code = kExitError;
    }
  } else {
    code = KvCall("kv get", context, wire::KvRequestBody{2, key, "", ""}, &body);
  }
  if (code != kExitOk) return code;
  if (json) {
    nlohmann::json out{{"key", key}, {"found", body.found}};
    if (body.found) out["value"] = body.value;
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else if (body.found) {
    std::fwrite(body.value.data(), 1, body.value.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    std::fprintf(stderr, "pifleet kv get: no key %s\n", key.c_str());
  }
  return body.found ? kExitOk : kExitNotFound;
}

}  // namespace

void InstallKvCommand(CLI::App& app, Context& context) {
  auto* kv = app.add_subcommand("kv", "Read and write the replicated key-value store");
  kv->require_subcommand(1);
  auto key = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto consistency = std::make_shared<std::string>("log");
  auto json = std::make_shared<bool>(false);

  auto* put =
      kv->add_subcommand("put", "Set KEY to VALUE or to the bytes of --file (through the log)");
  put->add_option("KEY", *key, "Key")->required();
  auto* value_option = put->add_option("VALUE", *value, "Value");
  auto* file_option =
      put->add_option("--file", *file, "Read the value from this file (- reads stdin)");
  value_option->excludes(file_option);
  put->callback([key, value, file, value_option, file_option, &context] {
    if (value_option->count() == 0 && file_option->count() == 0) {
      context.exit_code = FailCommand("kv put", Status::InvalidArgument("give VALUE or --file F"));
      return;
    }
    wire::KvRequestBody body{1, *key, *value, ""};
    if (file_option->count() > 0) {
      if (Status status = ReadValueFile(*file, &body.value); !status.ok()) {
        context.exit_code = FailCommand("kv put", status);
        return;
      }
    }
    wire::KvReplyBody reply;
    context.exit_code = KvCall("kv put", context, body, &reply);
    if (context.exit_code != kExitOk) return;
    if (!reply.ok) {
      std::fprintf(stderr, "pifleet kv put: failed: %s\n", reply.value.c_str());
      context.exit_code = kExitError;
      return;
    }
    std::printf("OK\n");
  });

  auto* get = kv->add_subcommand("get", "Print the value of KEY (exit 4: no such key)");
  get->add_option("KEY", *key, "Key")->required();
  get->add_option("--consistency", *consistency,
                  "log: linearizable, through the log; local: this node's state, maybe stale")
      ->check(CLI::IsMember({"log", "local"}))
      ->capture_default_str();
  get->add_flag("--json", *json, R"(One object: {"key", "found", "value" when found})");
  get->callback([key, consistency, json, &context] {
    context.exit_code = RunGet(context, *key, *consistency, *json);
  });

  auto* del = kv->add_subcommand("del", "Delete KEY (through the log)");
  del->add_option("KEY", *key, "Key")->required();
  del->callback([key, &context] {
    wire::KvReplyBody reply;
    context.exit_code = KvCall("kv del", context, wire::KvRequestBody{4, *key, "", ""}, &reply);
    if (context.exit_code == kExitOk) std::printf("OK\n");
  });
}

}  // namespace pifleet::cli
