// ClientOp::kLease and kLeaseList bodies (docs/formats.md, "Client protocol"). A lease request goes
// through the log in a session; its reply is a KvReplyBody whose value is the state machine's
// answer (grant: the id; keepalive: the TTL in ms; revoke: "REVISION DELETED"). A list is this
// node's view of the lease table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pifleet::wire {

struct LeaseRequestBody {
  enum Kind : uint8_t { kGrant = 1, kKeepAlive = 2, kRevoke = 3 };
  uint8_t kind = kGrant;
  uint64_t id = 0;      // keepalive, revoke
  uint64_t ttl_ms = 0;  // grant
  bool operator==(const LeaseRequestBody&) const = default;
};

struct LeaseRow {
  uint64_t id = 0;
  uint64_t ttl_ms = 0;
  uint64_t keys = 0;
  int64_t remaining_ms = -1;  // by the leader's count; -1 when the answering node is no leader
  bool operator==(const LeaseRow&) const = default;
};

struct LeaseListBody {
  std::vector<LeaseRow> rows;
  bool operator==(const LeaseListBody&) const = default;
};

inline constexpr size_t kLeaseRowsMax = 10'000;

std::string EncodeBody(const LeaseRequestBody& body);
std::string EncodeBody(const LeaseListBody& body);
bool DecodeBody(const std::string& bytes, LeaseRequestBody* out);
bool DecodeBody(const std::string& bytes, LeaseListBody* out);

}  // namespace pifleet::wire
