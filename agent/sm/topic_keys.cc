#include "agent/sm/topic_keys.h"

#include <array>
#include <charconv>

#include "agent/base/bytes.h"
#include "agent/sm/kv_op.h"
#include "agent/sm/kv_txn.h"

namespace pifleet::sm {
namespace {

constexpr uint8_t kMetaVersion = 1;
constexpr uint8_t kObjectVersion = 1;
constexpr uint8_t kTypeVersion = 1;
constexpr size_t kOffsetHexDigits = 16;

constexpr std::array<std::string_view, 7> kKindNames = {"",     "int",    "float", "string",
                                                        "bool", "object", "array"};

}  // namespace

std::optional<FieldKind> FieldKindFromName(std::string_view name) {
  for (size_t i = 1; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<FieldKind>(i);
  }
  return std::nullopt;
}

std::string_view FieldKindName(FieldKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i >= 1 && i < kKindNames.size() ? kKindNames[i] : "?";
}

bool IsTopicName(std::string_view name, size_t max_bytes) {
  if (name.empty() || name.size() > max_bytes) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string TopicMetaKey(std::string_view topic) {
  return std::string(kTopicMetaPrefix) + std::string(topic);
}

std::string TopicDataPrefix(std::string_view topic) {
  return std::string(kTopicDataPrefix) + std::string(topic) + "/";
}

std::string OffsetHex(uint64_t offset) {
  std::string hex(kOffsetHexDigits, '0');
  for (size_t i = 0; i < kOffsetHexDigits; ++i) {
    hex[kOffsetHexDigits - 1 - i] = "0123456789abcdef"[(offset >> (4 * i)) & 0xf];
  }
  return hex;
}

std::string TopicDataKey(std::string_view topic, uint64_t offset) {
  return TopicDataPrefix(topic) + OffsetHex(offset);
}

std::string TopicTypeKey(std::string_view type) {
  return std::string(kTopicTypePrefix) + std::string(type);
}

std::optional<uint64_t> OffsetOfKey(std::string_view topic, std::string_view key) {
  const std::string prefix = TopicDataPrefix(topic);
  if (!key.starts_with(prefix) || key.size() != prefix.size() + kOffsetHexDigits) return {};
  const std::string_view hex = key.substr(prefix.size());
  uint64_t offset = 0;
  const auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), offset, 16);
  if (error != std::errc() || end != hex.data() + hex.size()) return {};
  return offset;
}

uint64_t ObjectBytes(size_t key_bytes, size_t value_bytes) {
  return uint64_t{key_bytes} + value_bytes + kTopicObjectOverheadBytes;
}

std::string EncodeTopicMeta(const TopicMeta& meta) {
  ByteWriter w;
  w.U8(kMetaVersion);
  w.U64(meta.retain_count);
  w.U64(meta.retain_bytes);
  w.U64(meta.first_offset);
  w.U64(meta.next_offset);
  w.U64(meta.bytes);
  return std::move(w.out);
}

std::optional<TopicMeta> DecodeTopicMeta(std::string_view bytes) {
  ByteReader r{bytes};
  if (r.U8() != kMetaVersion) return std::nullopt;
  TopicMeta meta{r.U64(), r.U64(), r.U64(), r.U64(), r.U64()};
  if (!r.Done() || meta.first_offset > meta.next_offset) return std::nullopt;
  return meta;
}

std::string EncodeTopicObject(const TopicObject& object) {
  ByteWriter w;
  w.U8(kObjectVersion);
  w.Str(object.type);
  w.Str(object.published_by);
  w.Str(object.data);
  return std::move(w.out);
}

std::optional<TopicObject> DecodeTopicObject(std::string_view bytes) {
  ByteReader r{bytes};
  if (r.U8() != kObjectVersion) return std::nullopt;
  TopicObject object;
  object.type = r.Str(kTypeNameBytesMax);
  object.published_by = r.Str(kPublishedByBytesMax);
  object.data = r.Str(kTopicDataBytesMax);
  if (!r.Done()) return std::nullopt;
  return object;
}

std::string EncodeTopicType(const std::vector<TypeField>& fields) {
  ByteWriter w;
  w.U8(kTypeVersion);
  w.U64(fields.size());
  for (const TypeField& field : fields) {
    w.Str(field.name);
    w.U8(static_cast<uint8_t>(field.kind));
  }
  return std::move(w.out);
}

std::optional<std::vector<TypeField>> DecodeTopicType(std::string_view bytes) {
  ByteReader r{bytes};
  if (r.U8() != kTypeVersion) return std::nullopt;
  const uint64_t count = r.U64();
  if (!r.ok || count > kTypeFieldsMax) return std::nullopt;
  std::vector<TypeField> fields;
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    std::string name = r.Str(kFieldNameBytesMax);
    const uint8_t kind = r.U8();
    if (kind < 1 || kind >= kKindNames.size()) return std::nullopt;
    fields.push_back({std::move(name), static_cast<FieldKind>(kind)});
  }
  if (!r.Done()) return std::nullopt;
  return fields;
}

bool WritesTopics(const wire::KvRequestBody& request) { return WritesUnder(kTopicPrefix, request); }

bool WritesTopics(const wire::TxnRequestBody& txn) { return WritesUnder(kTopicPrefix, txn); }

}  // namespace pifleet::sm
