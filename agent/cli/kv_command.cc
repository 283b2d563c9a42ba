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
#include "agent/cli/kv_txn_call.h"
#include "agent/sm/kv.h"
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

wire::TxnOpBody RangeOp(const std::string& key, bool prefix, uint64_t limit) {
  return wire::TxnOpBody{
      wire::TxnOpBody::kRange, key, prefix ? sm::PrefixEnd(key) : "", "", limit, 0};
}

int RunLocalGet(Context& context, const std::string& key, bool json) {
  wire::KvReplyBody body;
  wire::ClientReply reply;
  int code = CallCommand("kv get", context.client, wire::ClientOp::kLocalGet,
                         wire::EncodeBody(wire::LocalGetBody{key}), &reply);
  if (code == kExitOk && !wire::DecodeBody(reply.payload, &body)) {
    std::fprintf(stderr, "pifleet kv get: malformed reply from the agent\n");
    code = kExitError;
  }
  if (code != kExitOk) return code;
  if (json) {
    nlohmann::json out{{"key", key}, {"found", body.found}};
    if (body.found) out["value"] = body.value;
    std::printf("%s\n", DumpJson(out).c_str());
  } else if (body.found) {
    std::fwrite(body.value.data(), 1, body.value.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    std::fprintf(stderr, "pifleet kv get: no key %s\n", key.c_str());
  }
  return body.found ? kExitOk : kExitNotFound;
}

int RunGetKey(Context& context, const std::string& key, bool lease, bool json) {
  wire::TxnReplyBody reply;
  const int code = ReadCall("kv get", context, lease, {{}, {RangeOp(key, false, 0)}, {}}, &reply);
  if (code != kExitOk) return code;
  const std::vector<wire::KvRow>& rows = reply.responses.at(0).rows;
  if (json) {
    nlohmann::json out = rows.empty() ? nlohmann::json{{"key", key}} : RowJson(rows[0]);
    out["found"] = !rows.empty();
    std::printf("%s\n", DumpJson(out).c_str());
  } else if (!rows.empty()) {
    std::fwrite(rows[0].value.data(), 1, rows[0].value.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    std::fprintf(stderr, "pifleet kv get: no key %s\n", key.c_str());
  }
  return rows.empty() ? kExitNotFound : kExitOk;
}

// Every key under the prefix, page by page (each page is one read through the log, at its own
// revision), up to `limit` keys (0: all). Plain output: the key, then the value, a line each.
int RunGetPrefix(Context& context, const std::string& prefix, uint64_t limit, bool lease,
                 bool json) {
  wire::TxnOpBody op = RangeOp(prefix, true, limit);
  uint64_t printed = 0;
  while (true) {
    wire::TxnReplyBody reply;
    const int code = ReadCall("kv get", context, lease, {{}, {op}, {}}, &reply);
    if (code != kExitOk) return code;
    const wire::TxnResponseBody& page = reply.responses.at(0);
    for (const wire::KvRow& row : page.rows) {
      if (json) {
        std::printf("%s\n", DumpJson(RowJson(row)).c_str());
      } else {
        std::printf("%s\n", row.key.c_str());
        std::fwrite(row.value.data(), 1, row.value.size(), stdout);
        std::fputc('\n', stdout);
      }
      ++printed;
    }
    if (!page.more || page.rows.empty() || (limit != 0 && printed >= limit)) return kExitOk;
    op.key = page.rows.back().key + std::string(1, '\0');
    if (limit != 0) op.limit = limit - printed;
  }
}

void InstallKvPut(CLI::App& kv, Context& context) {
  auto key = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto lease = std::make_shared<uint64_t>(0);
  auto json = std::make_shared<bool>(false);
  auto* put =
      kv.add_subcommand("put", "Set KEY to VALUE or to the bytes of --file (through the log)");
  put->add_option("KEY", *key, "Key")->required();
  auto* value_option = put->add_option("VALUE", *value, "Value");
  auto* file_option =
      put->add_option("--file", *file, "Read the value from this file (- reads stdin)");
  value_option->excludes(file_option);
  put->add_option("--lease", *lease, "Attach the key to this lease: deleted when it expires");
  put->add_flag("--json", *json, R"(Print {"revision": N}, the put's revision)");
  put->callback([=, &context] {
    if (value_option->count() == 0 && file_option->count() == 0) {
      context.exit_code = FailCommand("kv put", Status::InvalidArgument("give VALUE or --file F"));
      return;
    }
    wire::TxnOpBody op{wire::TxnOpBody::kPut, *key, "", *value, 0, *lease};
    if (file_option->count() > 0) {
      if (Status status = ReadValueFile(*file, &op.value); !status.ok()) {
        context.exit_code = FailCommand("kv put", status);
        return;
      }
    }
    wire::TxnReplyBody reply;
    context.exit_code = TxnCall("kv put", context, {{}, {op}, {}}, &reply);
    if (context.exit_code != kExitOk) return;
    std::printf("%s\n", *json ? DumpJson({{"revision", reply.revision}}).c_str() : "OK");
  });
}

void InstallKvGet(CLI::App& kv, Context& context) {
  auto key = std::make_shared<std::string>();
  auto prefix = std::make_shared<std::string>();
  auto limit = std::make_shared<uint64_t>(0);
  auto consistency = std::make_shared<std::string>("log");
  auto json = std::make_shared<bool>(false);
  auto* get = kv.add_subcommand(
      "get", "Print the value of KEY (exit 4: no such key), or every key under --prefix P");
  auto* key_option = get->add_option("KEY", *key, "Key");
  auto* prefix_option =
      get->add_option("--prefix", *prefix, "Every key that starts with P, in key order");
  key_option->excludes(prefix_option);
  get->add_option("--limit", *limit, "With --prefix: at most N keys (0: all)");
  get->add_option("--consistency", *consistency,
                  "log: linearizable, through the log; lease: linearizable, answered by the "
                  "leader under its lease without a log round (through the log when no "
                  "endpoint holds one); local: this node's state, maybe stale (one KEY only)")
      ->check(CLI::IsMember({"log", "lease", "local"}))
      ->capture_default_str();
  get->add_flag("--json", *json,
                "One object per key: key, value, create_revision, mod_revision, version, lease "
                "(KEY: and found)");
  get->callback([=, &context] {
    if (key_option->count() + prefix_option->count() != 1) {
      context.exit_code = FailCommand("kv get", Status::InvalidArgument("give KEY or --prefix P"));
    } else if (*consistency == "local") {
      context.exit_code =
          key_option->count() == 0
              ? FailCommand("kv get", Status::InvalidArgument("--consistency local reads one KEY"))
              : RunLocalGet(context, *key, *json);
    } else if (prefix_option->count() > 0) {
      context.exit_code = RunGetPrefix(context, *prefix, *limit, *consistency == "lease", *json);
    } else {
      context.exit_code = RunGetKey(context, *key, *consistency == "lease", *json);
    }
  });
}

void InstallKvDel(CLI::App& kv, Context& context) {
  auto key = std::make_shared<std::string>();
  auto prefix = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* del =
      kv.add_subcommand("del", "Delete KEY, or every key under --prefix P (through the log)");
  auto* key_option = del->add_option("KEY", *key, "Key");
  auto* prefix_option = del->add_option("--prefix", *prefix, "Every key that starts with P");
  key_option->excludes(prefix_option);
  del->add_flag("--json", *json, R"(Print {"revision": N, "deleted": K})");
  del->callback([=, &context] {
    if (key_option->count() + prefix_option->count() != 1) {
      context.exit_code = FailCommand("kv del", Status::InvalidArgument("give KEY or --prefix P"));
      return;
    }
    const bool by_prefix = prefix_option->count() > 0;
    const std::string& from = by_prefix ? *prefix : *key;
    const wire::TxnOpBody op{
        wire::TxnOpBody::kDelete, from, by_prefix ? sm::PrefixEnd(from) : "", "", 0, 0};
    wire::TxnReplyBody reply;
    context.exit_code = TxnCall("kv del", context, {{}, {op}, {}}, &reply);
    if (context.exit_code != kExitOk) return;
    const uint64_t deleted = reply.responses.at(0).deleted;
    if (*json) {
      std::printf("%s\n", DumpJson({{"revision", reply.revision}, {"deleted", deleted}}).c_str());
    } else {
      std::printf("%llu\n", static_cast<unsigned long long>(deleted));
    }
  });
}

}  // namespace

void InstallKvCommand(CLI::App& app, Context& context) {
  auto* kv = app.add_subcommand("kv", "Read and write the replicated key-value store");
  kv->require_subcommand(1);
  InstallKvPut(*kv, context);
  InstallKvGet(*kv, context);
  InstallKvDel(*kv, context);
  InstallKvTxnCommand(*kv, context);
  InstallWatchCommand(app, context);
  InstallLeaseCommand(app, context);
  InstallLockCommand(app, context);
}

}  // namespace pifleet::cli
