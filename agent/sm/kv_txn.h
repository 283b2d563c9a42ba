// Transactions (kv command kind 5; etcd's Txn): compares on a key's value, version, create or mod
// revision, and the branch that runs, put / range / delete-range ops, all at one revision. The
// command payload (docs/formats.md, "Command payloads"):
//   5 | compares u64 count | each: key, value (strings), target u8, op u8, number u64
//     | then ops u64 count | each: kind u8, key, range_end, value (strings), limit u64, lease u64
//     | else ops, the same.
// The result's output is the msgpack wire::TxnReplyBody the client decodes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/wire/client_bodies.h"

namespace pifleet::sm {

bool IsKvTxn(const std::string& payload);
std::string EncodeKvTxn(const wire::TxnRequestBody& txn);
// nullopt when the bytes are not a well-formed transaction within the wire::kTxn* bounds.
std::optional<wire::TxnRequestBody> DecodeKvTxn(const std::string& bytes);
// "" when the transaction may run; otherwise why not (a put of a key twice in one branch, or of a
// key that a delete of the same branch covers, as etcd refuses; a value over kKvValueBytesMax).
std::string CheckKvTxn(const wire::TxnRequestBody& txn);
// True when the kv request or transaction would write a key under `prefix` (a put of one, or a
// delete whose range holds one): the agent refuses kv writes under the prefixes that other
// commands own (settings, topics).
bool WritesUnder(std::string_view prefix, const wire::KvRequestBody& request);
bool WritesUnder(std::string_view prefix, const wire::TxnRequestBody& txn);

}  // namespace pifleet::sm
