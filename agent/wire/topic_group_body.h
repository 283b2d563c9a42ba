// ClientOp::kTopicGroup body (docs/formats.md, "Client protocol"; docs/topics.md, "Consumer
// groups"): a consumer group member's claim of objects, or its acknowledgements (ack, fail,
// release, each for one delivery attempt). Through the log in the member's session; the reply is
// a KvReplyBody whose value is the state machine's result (sm/topic_groups.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pifleet::wire {

inline constexpr size_t kTopicGroupTypesWireMax = 16;
inline constexpr size_t kTopicGroupAcksWireMax = 256;

struct TopicGroupAckBody {
  uint64_t offset = 0;
  uint64_t attempt = 0;
  uint8_t outcome = 0;  // 0 ack, 1 fail, 2 release
  bool operator==(const TopicGroupAckBody&) const = default;
};

struct TopicGroupBody {
  bool claim = true;  // false: acknowledgements
  std::string topic;
  std::string group;
  std::string member;
  uint64_t max = 1;                     // claim
  uint64_t start = 0;                   // claim: a new group's first offset (UINT64_MAX: latest)
  uint64_t ack_wait_ms = 0;             // claim: 0 the group's
  uint64_t max_deliveries = 0;          // claim: 0 the group's
  std::vector<std::string> types;       // claim
  std::vector<TopicGroupAckBody> acks;  // acknowledgements
  std::string reason;                   // why the failed entries failed
  bool operator==(const TopicGroupBody&) const = default;
};

std::string EncodeBody(const TopicGroupBody& body);
bool DecodeBody(const std::string& bytes, TopicGroupBody* out);

}  // namespace pifleet::wire
