// How typed topics (docs/topics.md) live in the replicated kv store, under the reserved prefix
// kTopicPrefix, so that revisions, snapshots, snapshot install and watches serve them unchanged:
//   pifleet/topic/meta/<topic>           TopicMeta: retention, first and next offset, bytes held
//   pifleet/topic/data/<topic>/<offset>  TopicObject (offset: 16 lowercase hex digits, so key
//                                        order is offset order)
//   pifleet/topic/type/<type>            TopicType: required fields and their JSON kinds
// Only topic commands (sm/topics.h) write there; the agent refuses kv commands that would.
// The bounds below are checked at the edge and again by every replica.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/constants.h"
#include "agent/wire/client_bodies.h"
#include "agent/wire/topic_bodies.h"

namespace pifleet::sm {

inline constexpr std::string_view kTopicPrefix = "pifleet/topic/";
inline constexpr std::string_view kTopicMetaPrefix = "pifleet/topic/meta/";
inline constexpr std::string_view kTopicDataPrefix = "pifleet/topic/data/";
inline constexpr std::string_view kTopicTypePrefix = "pifleet/topic/type/";

// Names of topics, types and fields: 1..max bytes of [A-Za-z0-9._-].
inline constexpr size_t kTopicNameBytesMax = 128;
inline constexpr size_t kTypeNameBytesMax = 64;
inline constexpr size_t kFieldNameBytesMax = 64;
inline constexpr size_t kTypeFieldsMax = wire::kTopicFieldsMax;
inline constexpr size_t kTypesMax = 256;
inline constexpr size_t kTopicsMax = 64;
// One object's data: compact JSON text, nesting at most kJsonDepthMax deep.
inline constexpr size_t kTopicDataBytesMax = size_t{60} * 1024;
inline constexpr size_t kJsonDepthMax = 32;
inline constexpr size_t kPublishedByBytesMax = 128;
// What one retained object counts against its topic's retain_bytes beyond its key and value: what
// the node's RSS grows by per object beyond those bytes (the store's map node, revisions and
// string headers, the watch history's copy of recent objects), measured with 220-byte objects:
// 1.3 to 1.6 KiB of RSS each (docs/topics.md, "Memory").
inline constexpr size_t kTopicObjectOverheadBytes = 1024;
// Retention (per topic) and its bounds; the sum of retain_bytes over every topic is at most
// kTopicsRetainBytesTotalMax, so the node's memory for topics is bounded by it (docs/topics.md).
inline constexpr uint64_t kRetainCountDefault = 100'000;
inline constexpr uint64_t kRetainBytesDefault = uint64_t{16} << 20;
inline constexpr uint64_t kRetainCountMax = 10'000'000;
inline constexpr uint64_t kRetainBytesMin = uint64_t{1} << 20;
inline constexpr uint64_t kRetainBytesMax = uint64_t{128} << 20;
inline constexpr uint64_t kTopicsRetainBytesTotalMax = uint64_t{128} << 20;
// Every retained object is in the state-machine snapshot (with less framing than the overhead
// counted above): half the snapshot's bound stays for the rest of the state.
static_assert(kTopicsRetainBytesTotalMax <= core::kSnapshotBytesMax / 2);
static_assert(kRetainBytesDefault <= kRetainBytesMax && kRetainBytesMin <= kRetainBytesDefault);

enum class FieldKind : uint8_t {
  kInt = 1,
  kFloat = 2,
  kString = 3,
  kBool = 4,
  kObject = 5,
  kArray = 6
};
std::optional<FieldKind> FieldKindFromName(std::string_view name);
std::string_view FieldKindName(FieldKind kind);

struct TypeField {
  std::string name;
  FieldKind kind = FieldKind::kInt;
  bool operator==(const TypeField&) const = default;
};

struct TopicMeta {
  uint64_t retain_count = kRetainCountDefault;
  uint64_t retain_bytes = kRetainBytesDefault;
  uint64_t first_offset = 0;  // the oldest retained object (== next_offset: none)
  uint64_t next_offset = 0;   // the offset the next publish gets
  uint64_t bytes = 0;         // retained objects' keys + values + overhead
  bool operator==(const TopicMeta&) const = default;
};

struct TopicObject {
  std::string type;
  std::string published_by;
  std::string data;  // compact JSON text
  bool operator==(const TopicObject&) const = default;
};

bool IsTopicName(std::string_view name, size_t max_bytes = kTopicNameBytesMax);

std::string TopicMetaKey(std::string_view topic);
std::string TopicDataPrefix(std::string_view topic);  // ".../data/<topic>/"
std::string TopicDataKey(std::string_view topic, uint64_t offset);
// 16 lowercase hex digits: in keys, key order is offset order.
std::string OffsetHex(uint64_t offset);
std::string TopicTypeKey(std::string_view type);
// The offset in a data key of `topic`, or nullopt when the key is not one.
std::optional<uint64_t> OffsetOfKey(std::string_view topic, std::string_view key);
// The bytes an object held under `key` with `value` counts against retain_bytes.
uint64_t ObjectBytes(size_t key_bytes, size_t value_bytes);

std::string EncodeTopicMeta(const TopicMeta& meta);
std::optional<TopicMeta> DecodeTopicMeta(std::string_view bytes);
std::string EncodeTopicObject(const TopicObject& object);
std::optional<TopicObject> DecodeTopicObject(std::string_view bytes);
std::string EncodeTopicType(const std::vector<TypeField>& fields);
std::optional<std::vector<TypeField>> DecodeTopicType(std::string_view bytes);

// True when a kv command would write a key under kTopicPrefix: the agent refuses it.
bool WritesTopics(const wire::KvRequestBody& request);
bool WritesTopics(const wire::TxnRequestBody& txn);

}  // namespace pifleet::sm
