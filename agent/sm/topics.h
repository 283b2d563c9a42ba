// Typed topics in the state machine (docs/topics.md): commands by their first payload byte
// 0x70..0x73, applied to the kv store under kTopicPrefix (topic_keys.h) as one transaction each,
// so a publish, its offset and the trimming its retention asks for share one revision:
//   create:  0x70 | topic | retain_count u64 | retain_bytes u64
//   delete:  0x71 | topic
//   type:    0x72 | type | fields u64 count | each: name, kind u8 (FieldKind)
//   publish: 0x73 | topic | type | published_by | data (JSON text) | create u8 (0|1)
// (strings: u64 length + bytes, agent/base/bytes.h). Every replica checks each command against
// its state and the bounds, and refuses (ok=false, why) rather than asserting: a command that
// reached the log never stops a replica. Results: create, type "REVISION"; delete "REVISION
// DELETED"; publish "OFFSET REVISION".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/sm/kv.h"
#include "agent/sm/topic_keys.h"

namespace pifleet::sm {

enum class TopicCommandKind : uint8_t {
  kCreate = 0x70,
  kDelete = 0x71,
  kDefineType = 0x72,
  kPublish = 0x73,
};

struct TopicCommand {
  TopicCommandKind kind = TopicCommandKind::kPublish;
  std::string topic;                            // create, delete, publish
  std::string type;                             // type, publish
  std::vector<TypeField> fields;                // type
  uint64_t retain_count = kRetainCountDefault;  // create
  uint64_t retain_bytes = kRetainBytesDefault;  // create
  std::string published_by;                     // publish
  std::string data;                             // publish: JSON text
  bool create = false;                          // publish: create the topic when missing
  bool operator==(const TopicCommand&) const = default;
};

bool IsTopicCommand(const std::string& payload);
std::string EncodeTopicCommand(const TopicCommand& command);
// nullopt when the bytes are not a well-formed command within the string bounds.
std::optional<TopicCommand> DecodeTopicCommand(const std::string& bytes);
// "" when the command is within its bounds whatever the state (names, retention range, JSON
// well-formed); otherwise why (a publisher's fault begins with kTopicInvalid).
std::string CheckTopicCommand(const TopicCommand& command);
// Applies one topic command to kv (payload = EncodeTopicCommand).
KvResult ApplyTopicCommand(const std::string& payload, KvStore& kv);

}  // namespace pifleet::sm
