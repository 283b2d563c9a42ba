#include "agent/sm/topics.h"

#include <algorithm>
#include <set>

#include "agent/base/bytes.h"
#include "agent/sm/kv_txn.h"
#include "agent/sm/topic_groups.h"
#include "agent/sm/topic_json.h"

namespace pifleet::sm {
namespace {

KvResult Refuse(std::string why) { return KvResult{false, std::move(why)}; }

wire::TxnOpBody PutOp(std::string key, std::string value) {
  return {wire::TxnOpBody::kPut, std::move(key), "", std::move(value), 0, 0};
}

wire::TxnOpBody DeleteOp(std::string key, std::string range_end) {
  return {wire::TxnOpBody::kDelete, std::move(key), std::move(range_end), "", 0, 0};
}

// Runs the ops as one transaction (one revision); "" or why the store refused.
std::string Run(KvStore& kv, std::vector<wire::TxnOpBody> ops) {
  const KvResult result = kv.Apply(EncodeKvTxn(wire::TxnRequestBody{{}, std::move(ops), {}}));
  return result.ok ? "" : "the store refused the topic command: " + result.output;
}

// Every row under `prefix`, up to `limit` (the prefixes hold at most kTopicsMax / kTypesMax).
std::vector<wire::KvRow> Rows(const KvStore& kv, std::string_view prefix, uint64_t limit) {
  KvStore::Budget budget{limit, SIZE_MAX};
  bool more = false;
  return kv.Range(std::string(prefix), PrefixEnd(std::string(prefix)), limit, &budget, &more);
}

std::string NoTopic(const std::string& topic) {
  return "no topic '" + topic + "' (create it with `pifleet topic create " + topic +
         "`, or publish with --create)";
}

// "" when one more topic retaining retain_bytes fits kTopicsMax and kTopicsRetainBytesTotalMax.
std::string RoomForTopic(const KvStore& kv, uint64_t retain_bytes) {
  uint64_t total = retain_bytes;
  const std::vector<wire::KvRow> rows = Rows(kv, kTopicMetaPrefix, kTopicsMax + 1);
  for (const wire::KvRow& row : rows) {
    if (const auto meta = DecodeTopicMeta(row.value)) total += meta->retain_bytes;
  }
  if (rows.size() >= kTopicsMax)
    return "the cluster holds " + std::to_string(kTopicsMax) +
           " topics already (the limit); delete one first";
  if (total > kTopicsRetainBytesTotalMax) {
    return "retain_bytes of every topic together would be " + std::to_string(total) +
           " bytes, over the limit of " + std::to_string(kTopicsRetainBytesTotalMax);
  }
  return "";
}

KvResult Create(const TopicCommand& c, KvStore& kv) {
  if (kv.Find(TopicMetaKey(c.topic))) return Refuse("topic '" + c.topic + "' exists");
  if (std::string why = RoomForTopic(kv, c.retain_bytes); !why.empty()) return Refuse(why);
  TopicMeta meta;
  meta.retain_count = c.retain_count;
  meta.retain_bytes = c.retain_bytes;
  if (std::string why = Run(kv, {PutOp(TopicMetaKey(c.topic), EncodeTopicMeta(meta))});
      !why.empty()) {
    return Refuse(why);
  }
  return KvResult{true, std::to_string(kv.revision())};
}

KvResult Delete(const TopicCommand& c, KvStore& kv) {
  const std::optional<std::string> value = kv.Find(TopicMetaKey(c.topic));
  if (!value) return Refuse("no topic '" + c.topic + "'");
  const std::optional<TopicMeta> meta = DecodeTopicMeta(*value);
  const std::string prefix = TopicDataPrefix(c.topic);
  const std::string groups = GroupsPrefix(c.topic);
  const std::string parked = ParkedPrefix(c.topic);
  if (std::string why =
          Run(kv, {DeleteOp(TopicMetaKey(c.topic), ""), DeleteOp(prefix, PrefixEnd(prefix)),
                   DeleteOp(groups, PrefixEnd(groups)), DeleteOp(parked, PrefixEnd(parked))});
      !why.empty()) {
    return Refuse(why);
  }
  const uint64_t held = meta ? meta->next_offset - meta->first_offset : 0;
  return KvResult{true, std::to_string(kv.revision()) + " " + std::to_string(held)};
}

KvResult DefineType(const TopicCommand& c, KvStore& kv) {
  if (!kv.Find(TopicTypeKey(c.type)) &&
      Rows(kv, kTopicTypePrefix, kTypesMax + 1).size() >= kTypesMax) {
    return Refuse("the cluster holds " + std::to_string(kTypesMax) + " types already (the limit)");
  }
  if (std::string why = Run(kv, {PutOp(TopicTypeKey(c.type), EncodeTopicType(c.fields))});
      !why.empty()) {
    return Refuse(why);
  }
  return KvResult{true, std::to_string(kv.revision())};
}

// The topic's state for a publish, created when missing and asked for; nullopt and *why otherwise.
std::optional<TopicMeta> PublishMeta(const TopicCommand& c, const KvStore& kv, std::string* why) {
  const std::optional<std::string> value = kv.Find(TopicMetaKey(c.topic));
  if (!value && !c.create) return *why = NoTopic(c.topic), std::nullopt;
  if (!value) {
    *why = RoomForTopic(kv, kRetainBytesDefault);
    return why->empty() ? std::optional<TopicMeta>(TopicMeta{}) : std::nullopt;
  }
  std::optional<TopicMeta> meta = DecodeTopicMeta(*value);
  if (!meta) *why = "topic '" + c.topic + "' has a state this agent cannot read (another version?)";
  return meta;
}

KvResult Publish(const TopicCommand& c, KvStore& kv) {
  std::string why;
  std::optional<TopicMeta> meta = PublishMeta(c, kv, &why);
  if (!meta) return Refuse(why);
  std::vector<TypeField> fields;
  if (const std::optional<std::string> type = kv.Find(TopicTypeKey(c.type))) {
    std::optional<std::vector<TypeField>> decoded = DecodeTopicType(*type);
    if (!decoded) return Refuse("type '" + c.type + "' has a definition this agent cannot read");
    fields = std::move(*decoded);
  }
  if (why = CheckTyped(c.type, fields, c.data); !why.empty()) return Refuse(why);
  const uint64_t offset = meta->next_offset;
  std::string key = TopicDataKey(c.topic, offset);
  std::string value = EncodeTopicObject({c.type, c.published_by, c.data});
  meta->bytes += ObjectBytes(key.size(), value.size());
  meta->next_offset += 1;
  // Retention: drop the oldest while over either bound, never the object just published.
  const uint64_t first = meta->first_offset;
  while (meta->next_offset - meta->first_offset > 1 &&
         (meta->next_offset - meta->first_offset > meta->retain_count ||
          meta->bytes > meta->retain_bytes)) {
    const std::string old_key = TopicDataKey(c.topic, meta->first_offset);
    const std::optional<std::string> old = kv.Find(old_key);
    const uint64_t old_bytes = old ? ObjectBytes(old_key.size(), old->size()) : 0;
    meta->bytes -= std::min(meta->bytes, old_bytes);
    meta->first_offset += 1;
  }
  std::vector<wire::TxnOpBody> ops = {PutOp(std::move(key), std::move(value)),
                                      PutOp(TopicMetaKey(c.topic), EncodeTopicMeta(*meta))};
  if (meta->first_offset > first) {
    ops.push_back(
        DeleteOp(TopicDataKey(c.topic, first), TopicDataKey(c.topic, meta->first_offset)));
  }
  if (why = Run(kv, std::move(ops)); !why.empty()) return Refuse(why);
  return KvResult{true, std::to_string(offset) + " " + std::to_string(kv.revision())};
}

std::string CheckFields(const std::vector<TypeField>& fields) {
  if (fields.size() > kTypeFieldsMax) {
    return "a type has at most " + std::to_string(kTypeFieldsMax) + " fields";
  }
  std::set<std::string> names;
  for (const TypeField& field : fields) {
    if (!IsTopicName(field.name, kFieldNameBytesMax)) {
      return "field name '" + field.name + "' must be 1 to " + std::to_string(kFieldNameBytesMax) +
             " bytes of A-Z a-z 0-9 . _ -";
    }
    if (!names.insert(field.name).second) return "field '" + field.name + "' given twice";
    if (FieldKindName(field.kind) == "?") return "field '" + field.name + "' has no known kind";
  }
  return "";
}

}  // namespace

bool IsTopicCommand(const std::string& payload) {
  if (payload.empty()) return false;
  const auto kind = static_cast<uint8_t>(payload[0]);
  return kind >= static_cast<uint8_t>(TopicCommandKind::kCreate) &&
         kind <= static_cast<uint8_t>(TopicCommandKind::kPublish);
}

std::string EncodeTopicCommand(const TopicCommand& c) {
  ByteWriter w;
  w.U8(static_cast<uint8_t>(c.kind));
  switch (c.kind) {
    case TopicCommandKind::kCreate:
      w.Str(c.topic);
      w.U64(c.retain_count);
      w.U64(c.retain_bytes);
      break;
    case TopicCommandKind::kDelete:
      w.Str(c.topic);
      break;
    case TopicCommandKind::kDefineType:
      w.Str(c.type);
      w.U64(c.fields.size());
      for (const TypeField& field : c.fields) {
        w.Str(field.name);
        w.U8(static_cast<uint8_t>(field.kind));
      }
      break;
    case TopicCommandKind::kPublish:
      w.Str(c.topic);
      w.Str(c.type);
      w.Str(c.published_by);
      w.Str(c.data);
      w.U8(c.create ? 1 : 0);
      break;
  }
  return std::move(w.out);
}

std::optional<TopicCommand> DecodeTopicCommand(const std::string& bytes) {
  if (!IsTopicCommand(bytes)) return std::nullopt;
  ByteReader r{bytes};
  TopicCommand c;
  c.kind = static_cast<TopicCommandKind>(r.U8());
  if (c.kind == TopicCommandKind::kDefineType) {
    c.type = r.Str(kTypeNameBytesMax);
    const uint64_t count = r.U64();
    if (!r.ok || count > kTypeFieldsMax) return std::nullopt;
    for (uint64_t i = 0; i < count && r.ok; ++i) {
      std::string name = r.Str(kFieldNameBytesMax);
      c.fields.push_back({std::move(name), static_cast<FieldKind>(r.U8())});
    }
  } else {
    c.topic = r.Str(kTopicNameBytesMax);
  }
  if (c.kind == TopicCommandKind::kCreate) {
    c.retain_count = r.U64();
    c.retain_bytes = r.U64();
  }
  if (c.kind == TopicCommandKind::kPublish) {
    c.type = r.Str(kTypeNameBytesMax);
    c.published_by = r.Str(kPublishedByBytesMax);
    c.data = r.Str(core::kCommandBytesMax);  // over kTopicDataBytesMax: refused by the check
    const uint8_t create = r.U8();
    if (create > 1) return std::nullopt;
    c.create = create == 1;
  }
  if (!r.Done()) return std::nullopt;
  return c;
}

std::string CheckTopicCommand(const TopicCommand& c) {
  const bool needs_topic = c.kind != TopicCommandKind::kDefineType;
  if (needs_topic && !IsTopicName(c.topic)) {
    return "topic name '" + c.topic + "' must be 1 to " + std::to_string(kTopicNameBytesMax) +
           " bytes of A-Z a-z 0-9 . _ -";
  }
  const bool needs_type =
      c.kind == TopicCommandKind::kDefineType || c.kind == TopicCommandKind::kPublish;
  if (needs_type && !IsTopicName(c.type, kTypeNameBytesMax)) {
    return "type name '" + c.type + "' must be 1 to " + std::to_string(kTypeNameBytesMax) +
           " bytes of A-Z a-z 0-9 . _ -";
  }
  if (c.kind == TopicCommandKind::kCreate) {
    if (c.retain_count < 1 || c.retain_count > kRetainCountMax) {
      return "--retain-count must be 1 to " + std::to_string(kRetainCountMax);
    }
    if (c.retain_bytes < kRetainBytesMin || c.retain_bytes > kRetainBytesMax) {
      return "--retain-bytes must be " + std::to_string(kRetainBytesMin) + " to " +
             std::to_string(kRetainBytesMax);
    }
  }
  if (c.kind == TopicCommandKind::kDefineType) return CheckFields(c.fields);
  if (c.kind == TopicCommandKind::kPublish) {
    if (c.published_by.size() > kPublishedByBytesMax) return "published_by is too long";
    if (c.data.size() > kTopicDataBytesMax) {
      return std::string(kTopicInvalid) + "data of " + std::to_string(c.data.size()) +
             " bytes exceeds the limit of " + std::to_string(kTopicDataBytesMax) + " bytes";
    }
  }
  return "";
}

KvResult ApplyTopicCommand(const std::string& payload, KvStore& kv) {
  const std::optional<TopicCommand> command = DecodeTopicCommand(payload);
  if (!command) return Refuse("malformed topic command");
  if (std::string why = CheckTopicCommand(*command); !why.empty()) return Refuse(why);
  switch (command->kind) {
    case TopicCommandKind::kCreate:
      return Create(*command, kv);
    case TopicCommandKind::kDelete:
      return Delete(*command, kv);
    case TopicCommandKind::kDefineType:
      return DefineType(*command, kv);
    case TopicCommandKind::kPublish:
      return Publish(*command, kv);
  }
  return Refuse("unknown topic command");
}

}  // namespace pifleet::sm
