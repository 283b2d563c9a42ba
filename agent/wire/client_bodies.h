// The msgpack bodies that client requests and replies carry in their payload (docs/formats.md,
// "Client protocol"). Each body is one msgpack array; decoding is bounded (element counts and
// byte lengths are limited before anything is built) and refuses trailing bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pifleet::wire {

// ClientOp::kKv request: one key-value operation (kind 1 put, 2 get, 3 cas, 4 delete).
struct KvRequestBody {
  uint8_t kind = 2;
  std::string key;
  std::string value;     // put, cas: the new value
  std::string expected;  // cas: the value the key must hold ("" = absent)
  bool operator==(const KvRequestBody&) const = default;
};

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

// false on any malformation (then *out is unspecified).
bool DecodeBody(const std::string& bytes, KvRequestBody* out);
bool DecodeBody(const std::string& bytes, KvReplyBody* out);
bool DecodeBody(const std::string& bytes, LocalGetBody* out);
bool DecodeBody(const std::string& bytes, RegisterReplyBody* out);
bool DecodeBody(const std::string& bytes, MembersBody* out);

}  // namespace pifleet::wire
