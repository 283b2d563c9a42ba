// What `pifleet kv` and `pifleet kv txn` share: a transaction sent through the log (kind 5 of the
// kv operation), its bounds checked before anything is sent, and a key's row as JSON.
#pragma once

#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "agent/base/status.h"
#include "agent/cli/command.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::cli {

// Refuses what the cluster would refuse: counts, key and value sizes, the whole command's size.
Status CheckTxnBounds(const wire::TxnRequestBody& txn);
// Sends one transaction; on kExitOk *out is the cluster's answer. Errors are printed.
int TxnCall(const char* command, Context& context, const wire::TxnRequestBody& txn,
            wire::TxnReplyBody* out);
// A read-only transaction (range ops only). With `lease`, each endpoint in turn is asked to
// answer it under its leader lease (ClientOp::kLeaseRead); when none does (no endpoint leads,
// or its lease did not come in time), it goes through the log like TxnCall.
int ReadCall(const char* command, Context& context, bool lease, const wire::TxnRequestBody& txn,
             wire::TxnReplyBody* out);
// The same through an open client (its session kept across calls); errors as a Status.
Status TxnWith(class Client& client, const wire::TxnRequestBody& txn, wire::TxnReplyBody* out);
// {"key", "value", "create_revision", "mod_revision", "version", "lease"} (bytes that are not
// UTF-8 become U+FFFD when dumped).
nlohmann::json RowJson(const wire::KvRow& row);
std::string DumpJson(const nlohmann::json& json);
// `kv txn` (kv_txn_command.cc).
void InstallKvTxnCommand(CLI::App& kv, Context& context);
// `pifleet watch` (watch_command.cc).
void InstallWatchCommand(CLI::App& app, Context& context);
// `pifleet lease` (lease_command.cc) and `pifleet lock` (lock_command.cc).
void InstallLeaseCommand(CLI::App& app, Context& context);
void InstallLockCommand(CLI::App& app, Context& context);

}  // namespace pifleet::cli
