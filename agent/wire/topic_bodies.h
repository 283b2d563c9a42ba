// ClientOp::kTopic and kTopicRead bodies (docs/formats.md, "Client protocol"; docs/topics.md).
// A topic request (create, delete, define a type, publish) goes through the log in a session; its
// reply is a KvReplyBody whose value is the state machine's result ("OFFSET REVISION" for a
// publish) or, when refused, why. A read is answered from the answering node's state: a
// TxnReplyBody with two responses, the topic's meta row and a page of its objects.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pifleet::wire {

// A type declares at most this many fields (sm/topic_keys.h has the other bounds).
inline constexpr size_t kTopicFieldsMax = 32;
inline constexpr size_t kTopicNameWireBytesMax = 1024;

struct TopicRequestBody {
  enum Kind : uint8_t { kCreate = 1, kDelete = 2, kDefineType = 3, kPublish = 4 };
  uint8_t kind = kPublish;
  std::string topic;          // create, delete, publish
  std::string type;           // define type, publish
  std::string data;           // publish: JSON text
  uint64_t retain_count = 0;  // create (0: the default)
  uint64_t retain_bytes = 0;  // create (0: the default)
  bool create = false;        // publish: create a missing topic
  std::vector<std::pair<std::string, uint8_t>>
      fields;  // define type: name, kind (1 int .. 6 array)
  bool operator==(const TopicRequestBody&) const = default;
};

struct TopicReadBody {
  std::string topic;
  uint64_t from_offset = 0;
  uint64_t limit = 0;  // 0: as many as one reply holds
  bool operator==(const TopicReadBody&) const = default;
};

std::string EncodeBody(const TopicRequestBody& body);
std::string EncodeBody(const TopicReadBody& body);
bool DecodeBody(const std::string& bytes, TopicRequestBody* out);
bool DecodeBody(const std::string& bytes, TopicReadBody* out);

}  // namespace pifleet::wire
