// What `pifleet` client commands and agents say to each other (beside the peer messages of
// agent/core). Each operation's payload is described beside it and in docs/formats.md, "Client
// protocol"; the msgpack bodies are in agent/wire/client_bodies.h.
#pragma once

#include <cstdint>
#include <string>

namespace pifleet::wire {

enum class ClientOp : uint8_t {
  kKv = 1,        // payload: KvRequestBody; reply: KvReplyBody; through the log, in a session
  kStatus = 2,    // this node's status
  kMembers = 3,   // reply: MembersReplyBody
  kLeave = 4,     // payload: node id (decimal) to remove
  kMetrics = 5,   // Prometheus text
  kJoin = 6,      // payload: sm::EncodeUpsertMember of the joining node; reply: cluster.meta text
  kLocalGet = 7,  // payload: LocalGetBody; reply: KvReplyBody; from this node's state
  kAlive = 8,     // a member tells the leader it is up (learners send nothing else); no reply
  kIdentify = 9,  // payload: "NODE_ID SECONDS"; that node blinks identify (docs/leds.md)
  kKeyInstall = 10,  // payload: 32 key bytes; through the log
  kKeyUse = 11,      // payload: 1 byte, the key id; through the log
  kKeyRemove = 12,   // payload: 1 byte, the key id; through the log
  kKeyList = 13,     // reply: one line per key (daemon/key_rotation.cc)
  kRegister = 14,    // no payload; reply: RegisterReplyBody, a new session (through the log)
  kLeaseRead = 15,   // payload: TxnRequestBody of range ops only; reply: TxnReplyBody from the
                     // leader's state under its lease; kNoQuorum: no lease here (read the log)
  kWatch = 20,       // payload: WatchRequestBody; reply: WatchReplyBody (agent/daemon/watch_hub.h)
  kLease = 21,       // payload: LeaseRequestBody; reply: KvReplyBody; through the log, in a session
  kLeaseList = 22,   // no payload; reply: LeaseListBody, this node's view
  kJob = 30,  // payload: sm::EncodeJobCommand of a submit or cancel; through the log, in a session
  kJobQuery =
      31,  // payload: "list" | "status NAME" | "results NAME FROM"; reply: JSON (docs/jobs.md)
  kConfigSet = 40,   // payload: ConfigSetBody; reply: KvReplyBody; through the log, in a session
  kConfigList = 41,  // no payload; reply: ConfigListBody, this node's settings (config_bodies.h)
  kTopic = 50,       // payload: TopicRequestBody; reply: KvReplyBody; through the log, in a session
  kTopicRead = 51,   // payload: TopicReadBody; reply: TxnReplyBody from this node's state
  kTopicGroup = 52,  // payload: TopicGroupBody; reply: KvReplyBody; through the log, in a session
  kLast = kTopicGroup,
};

struct ClientRequest {
  uint64_t client_id = 0;  // random per CLI process; pairs a reply with its request
  uint64_t sequence = 0;   // within the session: a retried command applies once
  ClientOp op = ClientOp::kStatus;
  std::string payload;
  uint64_t session = 0;  // from kRegister; 0 for requests that do not go through the log
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
