// The msgpack bodies that client requests and replies carry in their payload (docs/formats.md,
// "Client protocol"). Each body is one msgpack array; decoding is bounded (element counts and
// byte lengths are limited before anything is built) and refuses trailing bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/core/constants.h"

namespace pifleet::wire {

// ClientOp::kKv request: one key-value operation (kind 1 put, 2 get, 3 cas, 4 delete; kind 5 is a
// TxnRequestBody).
struct KvRequestBody {
  uint8_t kind = 2;
  std::string key;
  std::string value;     // put, cas: the new value
  std::string expected;  // cas: the value the key must hold ("" = absent)
  bool operator==(const KvRequestBody&) const = default;
};

// ClientOp::kKv request of kind 5, a transaction (etcd's Txn): when every compare holds, the
// then_ops run, otherwise the else_ops; all of it at one revision. Its reply is a KvReplyBody
// whose value holds a TxnReplyBody. Counts and sizes are bounded (kTxn*Max below).
struct KvCompareBody {
  enum Target : uint8_t { kValue = 0, kVersion = 1, kCreate = 2, kMod = 3 };
  enum Op : uint8_t { kEqual = 0, kNotEqual = 1, kLess = 2, kGreater = 3 };
  std::string key;
  uint8_t target = kValue;
  uint8_t op = kEqual;
  uint64_t number = 0;  // version, create or mod revision
  std::string value;    // target kValue
  bool operator==(const KvCompareBody&) const = default;
};

struct TxnOpBody {
  enum Kind : uint8_t { kPut = 1, kRange = 2, kDelete = 3 };
  uint8_t kind = kRange;
  std::string key;
  // Range and delete: "" = the key alone; "\0" = every key from `key` on; else [key, range_end).
  std::string range_end;
  std::string value;   // put
  uint64_t limit = 0;  // range: at most this many keys (0: up to the reply bound)
  uint64_t lease = 0;  // put: attach the key to this lease (0: none)
  bool operator==(const TxnOpBody&) const = default;
};

struct TxnRequestBody {
  std::vector<KvCompareBody> compares;
  std::vector<TxnOpBody> then_ops;
  std::vector<TxnOpBody> else_ops;
  bool operator==(const TxnRequestBody&) const = default;
};

// One key with its revisions (etcd's KeyValue).
struct KvRow {
  std::string key;
  std::string value;
  uint64_t create_revision = 0;
  uint64_t mod_revision = 0;
  uint64_t version = 0;  // puts since the key was created (a delete ends the count)
  uint64_t lease = 0;
  bool operator==(const KvRow&) const = default;
};

// What one op of the branch that ran gave: a range its rows (and more: keys were left out), a
// delete how many keys it removed; a put nothing beyond the revision.
struct TxnResponseBody {
  uint8_t kind = TxnOpBody::kRange;
  uint64_t deleted = 0;
  bool more = false;
  std::vector<KvRow> rows;
  bool operator==(const TxnResponseBody&) const = default;
};

struct TxnReplyBody {
  uint64_t revision = 0;   // the store's revision after the transaction
  bool succeeded = false;  // the compares held: then_ops ran
  std::vector<TxnResponseBody> responses;
  bool operator==(const TxnReplyBody&) const = default;
};

// Bounds of a transaction, refused at the edge (the CLI, the agent's decoder) and again by the
// state machine.
inline constexpr size_t kTxnComparesMax = 16;
inline constexpr size_t kTxnOpsMax = 16;  // per branch
inline constexpr size_t kKvKeyBytesMax = 1024;
// A transaction's ranges together hold at most kRangeRowsMax rows and kRangeReplyBytesMax bytes of
// keys, values and kRangeRowOverheadBytes per row (so any stored key fits alone, and the reply one
// client message); beyond either a range says more=true and the client asks again from after its
// last key.
inline constexpr size_t kRangeRowsMax = 1000;
inline constexpr size_t kRangeRowOverheadBytes = 48;
inline constexpr size_t kRangeReplyBytesMax = core::kCommandBytesMax + kRangeRowOverheadBytes;

// ClientOp::kKv and kLocalGet reply.
struct KvReplyBody {
  enum class Outcome : uint8_t { kApplied = 0, kDuplicate = 1, kRefused = 2 };
  bool ok = true;      // false: the command failed (cas not swapped, refused, malformed)
  bool found = false;  // get: the key exists
  std::string value;   // get: the value; cas that failed: the current value; refused: why
  Outcome outcome = Outcome::kApplied;
  bool operator==(const KvReplyBody&) const = default;
};

// ClientOp::kLocalGet request.
struct LocalGetBody {
  std::string key;
  bool operator==(const LocalGetBody&) const = default;
};

// ClientOp::kRegister reply: the session the cluster handed out.
struct RegisterReplyBody {
  uint64_t session = 0;
  bool operator==(const RegisterReplyBody&) const = default;
};

// One row of the ClientOp::kMembers reply.
struct MemberRow {
  uint64_t node_id = 0;
  std::string name;
  std::string address;
  std::string voting;  // voter, learner or none (in the newest configuration)
  std::string role;    // the role the node asks for
  std::string version;
  std::string board;
  std::string serial;
  int64_t last_heard_ms = -1;  // by the answering node; 0 = itself, -1 = never
  int64_t capacity_milli = 0;
  int64_t temperature_milli = 0;
  uint32_t throttled_bits = 0;
  bool operator==(const MemberRow&) const = default;
};

// The members reply: the rows, and whose view they are (LAST HEARD is the answering node's; only
// the leader hears from every member).
struct MembersBody {
  uint64_t view_node_id = 0;  // the node that answered
  uint64_t leader_id = 0;     // the leader it knew of (0: none)
  std::vector<MemberRow> rows;
  bool IsLeadersView() const { return view_node_id != 0 && view_node_id == leader_id; }
  const MemberRow* Find(uint64_t node_id) const;
  bool operator==(const MembersBody&) const = default;
};

std::string EncodeBody(const KvRequestBody& body);
std::string EncodeBody(const KvReplyBody& body);
std::string EncodeBody(const LocalGetBody& body);
std::string EncodeBody(const RegisterReplyBody& body);
std::string EncodeBody(const MembersBody& body);
std::string EncodeBody(const TxnRequestBody& body);
std::string EncodeBody(const TxnReplyBody& body);

// false on any malformation (then *out is unspecified).
bool DecodeBody(const std::string& bytes, KvRequestBody* out);
bool DecodeBody(const std::string& bytes, KvReplyBody* out);
bool DecodeBody(const std::string& bytes, LocalGetBody* out);
bool DecodeBody(const std::string& bytes, RegisterReplyBody* out);
bool DecodeBody(const std::string& bytes, MembersBody* out);
// Also refuses counts and key sizes beyond the kTxn*Max and kKvKeyBytesMax bounds.
bool DecodeBody(const std::string& bytes, TxnRequestBody* out);
bool DecodeBody(const std::string& bytes, TxnReplyBody* out);
// The kind of a kKv request body (1..4: KvRequestBody, 5: TxnRequestBody), 0 when malformed.
uint8_t KvRequestKind(const std::string& bytes);
inline constexpr uint8_t kKvTxnKind = 5;

}  // namespace pifleet::wire
