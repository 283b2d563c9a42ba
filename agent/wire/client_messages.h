// What `pifleet` client commands and agents say to each other (beside the peer messages of
// agent/core). The payloads are opaque here; agent/daemon defines them per operation.
#pragma once

#include <cstdint>
#include <string>

namespace pifleet::wire {

enum class ClientOp : uint8_t {
  kKv = 1,        // payload: sm::EncodeKvOp bytes, through the log
  kStatus = 2,    // this node's status
  kMembers = 3,   // the membership table
  kLeave = 4,     // payload: node id (decimal) to remove
  kMetrics = 5,   // Prometheus text
  kJoin = 6,      // payload: sm::EncodeUpsertMember of the joining node; reply: cluster.meta text
  kLocalGet = 7,  // payload: key; answered from this node's state, without the log
  kAlive = 8,     // a member tells the leader it is up (learners send nothing else); no reply
  kIdentify = 9,  // payload: "NODE_ID SECONDS"; that node blinks identify (docs/leds.md)
  kKeyInstall = 10,  // payload: 32 key bytes; through the log
  kKeyUse = 11,      // payload: 1 byte, the key id; through the log
  kKeyRemove = 12,   // payload: 1 byte, the key id; through the log
  kKeyList = 13,     // reply: one line per key (agent_keys.cc)
};

struct ClientRequest {
  uint64_t client_id = 0;  // random per CLI process
  uint64_t sequence = 0;   // with client_id, makes a retried command apply once
  ClientOp op = ClientOp::kStatus;
  std::string payload;
  bool operator==(const ClientRequest&) const = default;
};

enum class ReplyCode : uint8_t {
  kOk = 0,
  kError = 1,     // refused: `error` says why
  kNoQuorum = 2,  // not decided in time; safe to retry with the same sequence
};

struct ClientReply {
  uint64_t client_id = 0;
  uint64_t sequence = 0;
  ReplyCode code = ReplyCode::kOk;
  std::string payload;
  std::string error;
  bool operator==(const ClientReply&) const = default;
};

}  // namespace pifleet::wire
