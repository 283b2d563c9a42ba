#include "agent/cli/kv_txn_call.h"

#include <cstdio>
#include <memory>

#include "agent/cli/client.h"
#include "agent/core/constants.h"
#include "agent/sm/kv_op.h"
#include "agent/sm/kv_txn.h"

namespace pifleet::cli {
namespace {

Status CheckOps(const std::vector<wire::TxnOpBody>& ops, const char* branch) {
  if (ops.size() > wire::kTxnOpsMax) {
    return Status::InvalidArgument(std::to_string(ops.size()) + " " + branch +
                                   " ops exceed the limit of " + std::to_string(wire::kTxnOpsMax));
  }
  for (const wire::TxnOpBody& op : ops) {
    if (op.key.size() > wire::kKvKeyBytesMax || op.range_end.size() > wire::kKvKeyBytesMax) {
      return Status::IOError("key of " + std::to_string(op.key.size()) +
                             " bytes exceeds the limit of " + std::to_string(wire::kKvKeyBytesMax));
    }
    if (op.value.size() > sm::kKvValueBytesMax) {
      return Status::IOError("value of " + std::to_string(op.value.size()) +
                             " bytes exceeds the limit of " + std::to_string(sm::kKvValueBytesMax));
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckTxnBounds(const wire::TxnRequestBody& txn) {
  if (txn.compares.size() > wire::kTxnComparesMax) {
    return Status::InvalidArgument(std::to_string(txn.compares.size()) +
                                   " compares exceed the limit of " +
                                   std::to_string(wire::kTxnComparesMax));
  }
  for (const wire::KvCompareBody& c : txn.compares) {
    if (c.key.size() > wire::kKvKeyBytesMax || c.value.size() > sm::kKvValueBytesMax) {
      return Status::IOError("a compare's key or value exceeds its limit (" +
                             std::to_string(wire::kKvKeyBytesMax) + " and " +
                             std::to_string(sm::kKvValueBytesMax) + " bytes)");
    }
  }
  if (Status s = CheckOps(txn.then_ops, "then"); !s.ok()) return s;
  if (Status s = CheckOps(txn.else_ops, "else"); !s.ok()) return s;
  if (std::string why = sm::CheckKvTxn(txn); !why.empty()) return Status::InvalidArgument(why);
  const size_t command_bytes = sm::EncodeKvTxn(txn).size();
  if (command_bytes > core::kCommandBytesMax) {
    return Status::IOError("command of " + std::to_string(command_bytes) +
                           " bytes exceeds the limit of " + std::to_string(core::kCommandBytesMax));
  }
  return Status::Ok();
}

int TxnCall(const char* command, Context& context, const wire::TxnRequestBody& txn,
            wire::TxnReplyBody* out) {
  if (Status status = CheckTxnBounds(txn); !status.ok()) return FailCommand(command, status);
  wire::ClientReply reply;
  const int code =
      CallCommand(command, context.client, wire::ClientOp::kKv, wire::EncodeBody(txn), &reply);
  if (code != kExitOk) return code;
  wire::KvReplyBody body;
  if (Status status = CheckCommandReply(reply, &body); !status.ok()) {
    return FailCommand(command, status);
  }
  if (!wire::DecodeBody(body.value, out)) {
    std::fprintf(stderr, "pifleet %s: malformed transaction reply from the agent\n", command);
    return kExitError;
  }
  return kExitOk;
}

int ReadCall(const char* command, Context& context, bool lease, const wire::TxnRequestBody& txn,
             wire::TxnReplyBody* out) {
  if (!lease) return TxnCall(command, context, txn, out);
  if (Status status = CheckTxnBounds(txn); !status.ok()) return FailCommand(command, status);
  std::unique_ptr<Client> client;
  if (Status status = Client::Create(context.client, &client); !status.ok()) {
    return FailCommand(command, status);
  }
  // Longer than the agent waits for a lease (node::kLeaseReadWaitTicks) before it declines.
  constexpr uint32_t kLeaseReadWaitMs = 400;
  const std::string payload = wire::EncodeBody(txn);
  for (size_t endpoint = 0; endpoint < client->endpoint_count(); ++endpoint) {
    wire::ClientReply reply;
    if (!client->Poll(endpoint, wire::ClientOp::kLeaseRead, payload, kLeaseReadWaitMs, &reply) ||
        reply.code == wire::ReplyCode::kNoQuorum) {
      continue;  // silent, not the leader, or no lease there
    }
    if (reply.code != wire::ReplyCode::kOk) {
      return FailCommand(command, Status::IOError(reply.error));
    }
    if (!wire::DecodeBody(reply.payload, out)) {
      std::fprintf(stderr, "pifleet %s: malformed lease read reply from the agent\n", command);
      return kExitError;
    }
    return kExitOk;
  }
  return TxnCall(command, context, txn, out);
}

Status TxnWith(Client& client, const wire::TxnRequestBody& txn, wire::TxnReplyBody* out) {
  if (Status status = CheckTxnBounds(txn); !status.ok()) return status;
  wire::KvReplyBody body;
  if (Status status = client.Command(wire::ClientOp::kKv, wire::EncodeBody(txn), &body);
      !status.ok()) {
    return status;
  }
  if (!wire::DecodeBody(body.value, out)) return Status::IOError("malformed transaction reply");
  return Status::Ok();
}

nlohmann::json RowJson(const wire::KvRow& row) {
  return nlohmann::json{{"key", row.key},
                        {"value", row.value},
                        {"create_revision", row.create_revision},
                        {"mod_revision", row.mod_revision},
                        {"version", row.version},
                        {"lease", row.lease}};
}

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pifleet::cli
