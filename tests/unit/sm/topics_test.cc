// Typed topics in the state machine (sm/topics.h, docs/topics.md): offsets in publish order,
// retention by count and by bytes in the same command (one revision), every JSON kind of a type
// checked and the failing field named, unknown topics refused with nothing stored, malformed or
// hostile commands refused on every replica (never asserted), and the topics in the snapshot,
// byte-identical on every replica and after a restore.
#include "agent/sm/topics.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/sm/state_machine.h"
#include "agent/sm/topic_json.h"
#include "tests/unit/sm/sessions_helper.h"

namespace pifleet::sm {
namespace {

TopicCommand Cmd(TopicCommandKind kind, const std::string& topic, const std::string& type = "") {
  TopicCommand c;
  c.kind = kind;
  c.topic = topic;
  c.type = type;
  return c;
}

std::string Create(const std::string& topic, uint64_t count = kRetainCountDefault,
                   uint64_t bytes = kRetainBytesDefault) {
  TopicCommand c = Cmd(TopicCommandKind::kCreate, topic);
  c.retain_count = count;
  c.retain_bytes = bytes;
  return EncodeTopicCommand(c);
}

std::string Publish(const std::string& topic, const std::string& type, const std::string& data,
                    bool create = false) {
  TopicCommand c = Cmd(TopicCommandKind::kPublish, topic, type);
  c.published_by = "pi-1";
  c.data = data;
  c.create = create;
  return EncodeTopicCommand(c);
}

std::string Define(const std::string& type, std::vector<TypeField> fields) {
  TopicCommand c = Cmd(TopicCommandKind::kDefineType, "", type);
  c.fields = std::move(fields);
  return EncodeTopicCommand(c);
}

TopicMeta MetaOf(const KvStore& kv, const std::string& topic) {
  const auto value = kv.Find(TopicMetaKey(topic));
  EXPECT_TRUE(value.has_value());
  return value ? DecodeTopicMeta(*value).value_or(TopicMeta{}) : TopicMeta{};
}

size_t Objects(const KvStore& kv, const std::string& topic) {
  KvStore::Budget budget{SIZE_MAX, SIZE_MAX};
  bool more = false;
  const std::string prefix = TopicDataPrefix(topic);
  return kv.Range(prefix, PrefixEnd(prefix), 0, &budget, &more).size();
}

TEST(Topics, PublishAssignsTheNextOffsetPerTopic) {
  KvStore kv;
  ASSERT_TRUE(ApplyTopicCommand(Create("a"), kv).ok);
  ASSERT_TRUE(ApplyTopicCommand(Create("b"), kv).ok);
  for (int i = 0; i < 5; ++i) {
    const KvResult result = ApplyTopicCommand(Publish("a", "X", std::to_string(i)), kv);
    ASSERT_TRUE(result.ok) << result.output;
    EXPECT_EQ(result.output, std::to_string(i) + " " + std::to_string(kv.revision()));
  }
  EXPECT_EQ(ApplyTopicCommand(Publish("b", "X", "\"first\""), kv).output.substr(0, 2), "0 ");
  EXPECT_EQ(MetaOf(kv, "a").next_offset, 5u);
  const auto object = DecodeTopicObject(*kv.Find(TopicDataKey("a", 3)));
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ(*object, (TopicObject{"X", "pi-1", "3"}));
  EXPECT_EQ(OffsetOfKey("a", TopicDataKey("a", 0x1234abcd)), 0x1234abcdu);
  EXPECT_EQ(OffsetOfKey("ab", TopicDataKey("a", 1)), std::nullopt);
  EXPECT_LT(TopicDataKey("a", 9), TopicDataKey("a", 10));  // key order is offset order
}

TEST(Topics, UnknownTopicIsRefusedAndNothingStoredUnlessCreateAsked) {
  KvStore kv;
  const KvResult refused = ApplyTopicCommand(Publish("nope", "X", "1"), kv);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.output.find("no topic 'nope'"), std::string::npos) << refused.output;
  EXPECT_EQ(kv.revision(), 0u);
  EXPECT_EQ(kv.size(), 0u);
  const KvResult created = ApplyTopicCommand(Publish("nope", "X", "1", true), kv);
  ASSERT_TRUE(created.ok) << created.output;
  EXPECT_EQ(kv.revision(), 1u);  // topic and object at one revision
  EXPECT_EQ(MetaOf(kv, "nope").retain_count, kRetainCountDefault);
  EXPECT_FALSE(ApplyTopicCommand(Create("nope"), kv).ok);  // exists
  const KvResult deleted =
      ApplyTopicCommand(EncodeTopicCommand(Cmd(TopicCommandKind::kDelete, "nope")), kv);
  ASSERT_TRUE(deleted.ok);
  EXPECT_EQ(deleted.output, "2 1");
  EXPECT_EQ(kv.size(), 0u);
}

TEST(Topics, RetentionByCountTrimsInTheSameRevision) {
  KvStore kv;
  ASSERT_TRUE(ApplyTopicCommand(Create("t", 3), kv).ok);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(ApplyTopicCommand(Publish("t", "X", "1"), kv).ok);
  const TopicMeta meta = MetaOf(kv, "t");
  EXPECT_EQ(meta.first_offset, 7u);
  EXPECT_EQ(meta.next_offset, 10u);
  EXPECT_EQ(Objects(kv, "t"), 3u);
  EXPECT_FALSE(kv.Find(TopicDataKey("t", 6)).has_value());
  EXPECT_TRUE(kv.Find(TopicDataKey("t", 7)).has_value());
  // The last publish: its put, the meta's put and the trimmed object's delete, one revision.
  const std::vector<KvEvent>& events = kv.last_events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].type, KvEvent::Type::kDelete);
  EXPECT_EQ(events[2].row.key, TopicDataKey("t", 6));
  for (const KvEvent& e : events) EXPECT_EQ(e.row.mod_revision, kv.revision());
}

TEST(Topics, RetentionByBytesKeepsTheSumUnderTheBound) {
  KvStore kv;
  ASSERT_TRUE(ApplyTopicCommand(Create("t", kRetainCountMax, kRetainBytesMin), kv).ok);
  const std::string data = "\"" + std::string(40'000, 'x') + "\"";
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(ApplyTopicCommand(Publish("t", "X", data), kv).ok);
  const TopicMeta meta = MetaOf(kv, "t");
  EXPECT_LE(meta.bytes, kRetainBytesMin);
  EXPECT_GT(meta.first_offset, 0u);
  uint64_t sum = 0;
  for (uint64_t o = meta.first_offset; o < meta.next_offset; ++o) {
    const std::string key = TopicDataKey("t", o);
    sum += ObjectBytes(key.size(), kv.Find(key)->size());
  }
  EXPECT_EQ(sum, meta.bytes);
  EXPECT_EQ(Objects(kv, "t"), meta.next_offset - meta.first_offset);
  // One more object would pass the bound: the sum is within one object of it.
  EXPECT_GT(meta.bytes + ObjectBytes(40, data.size() + 40), kRetainBytesMin);
}

TEST(Topics, EveryKindIsCheckedAndTheFieldNamed) {
  KvStore kv;
  ASSERT_TRUE(ApplyTopicCommand(Create("t"), kv).ok);
  ASSERT_TRUE(ApplyTopicCommand(Define("R", {{"i", FieldKind::kInt},
                                             {"f", FieldKind::kFloat},
                                             {"s", FieldKind::kString},
                                             {"b", FieldKind::kBool},
                                             {"o", FieldKind::kObject},
                                             {"a", FieldKind::kArray}}),
                                kv)
                  .ok);
  const nlohmann::json good = nlohmann::json::parse(
      R"({"i": 1, "f": 2.5, "s": "x", "b": true, "o": {}, "a": [1], "extra": null})");
  ASSERT_TRUE(ApplyTopicCommand(Publish("t", "R", good.dump()), kv).ok);
  EXPECT_TRUE(
      ApplyTopicCommand(Publish("t", "R", R"({"i":1,"f":2,"s":"","b":false,"o":{},"a":[]})"),
                        kv)
          .ok);  // an int is a float
  const std::vector<std::pair<std::string, nlohmann::json>> wrong = {
      {"i", 1.5},
      {"i", "1"},
      {"f", "2.5"},
      {"s", 3},
      {"b", 1},
      {"o", nlohmann::json::array()},
      {"a", nlohmann::json::object()},
      {"b", nullptr}};
  const uint64_t revision = kv.revision();
  for (const auto& [field, value] : wrong) {
    nlohmann::json bad = good;
    bad[field] = value;
    const KvResult result = ApplyTopicCommand(Publish("t", "R", bad.dump()), kv);
    EXPECT_FALSE(result.ok) << field;
    EXPECT_TRUE(result.output.starts_with(kTopicInvalid)) << result.output;
    EXPECT_NE(result.output.find("field '" + field + "'"), std::string::npos) << result.output;
  }
  nlohmann::json missing = good;
  missing.erase("s");
  EXPECT_NE(ApplyTopicCommand(Publish("t", "R", missing.dump()), kv)
                .output.find("'s' (string) is missing"),
            std::string::npos);
  EXPECT_FALSE(ApplyTopicCommand(Publish("t", "R", "[1]"), kv).ok);
  EXPECT_TRUE(ApplyTopicCommand(Publish("t", "Untyped", "[1]"), kv).ok);  // no fields: any value
  EXPECT_EQ(kv.revision(), revision + 1);  // nothing refused was stored
  EXPECT_FALSE(
      ApplyTopicCommand(Define("R", {{"x", FieldKind::kInt}, {"x", FieldKind::kBool}}), kv).ok);
}

TEST(Topics, MalformedAndHostileCommandsAreRefusedNotAsserted) {
  KvStore kv;
  ASSERT_TRUE(ApplyTopicCommand(Create("t"), kv).ok);
  const std::string good = Publish("t", "X", R"({"a": [1, 2, "three"]})");
  for (size_t n = 0; n < good.size(); ++n) {  // every truncation
    EXPECT_FALSE(ApplyTopicCommand(good.substr(0, n), kv).ok) << n;
  }
  EXPECT_FALSE(ApplyTopicCommand(good + "x", kv).ok);
  for (uint8_t kind = 0x70; kind <= 0x73; ++kind) {
    for (int seed = 0; seed < 50; ++seed) {
      std::string garbage(1, static_cast<char>(kind));
      for (int i = 0; i < seed * 3; ++i)
        garbage.push_back(static_cast<char>((seed * 31 + i * 7) & 0xff));
      EXPECT_FALSE(ApplyTopicCommand(garbage, kv).ok);
    }
  }
  const uint64_t revision = kv.revision();
  for (const std::string& data :
       {std::string(50'000, '['), std::string("{\"a\":"), std::string("nul"), std::string(""),
        std::string("1 2"), "\"" + std::string(kTopicDataBytesMax, 'x') + "\""}) {
    const KvResult result = ApplyTopicCommand(Publish("t", "X", data), kv);
    EXPECT_FALSE(result.ok);
    EXPECT_TRUE(result.output.starts_with(kTopicInvalid)) << result.output;
  }
  EXPECT_FALSE(ApplyTopicCommand(Publish("bad/name", "X", "1"), kv).ok);
  EXPECT_FALSE(ApplyTopicCommand(Create("t2", 0), kv).ok);
  EXPECT_FALSE(ApplyTopicCommand(Create("t2", 1, kRetainBytesMax + 1), kv).ok);
  TopicCommand bad_kind = Cmd(TopicCommandKind::kDefineType, "", "T");
  bad_kind.fields = {{"f", static_cast<FieldKind>(9)}};
  EXPECT_FALSE(ApplyTopicCommand(EncodeTopicCommand(bad_kind), kv).ok);
  EXPECT_EQ(kv.revision(), revision);
}

TEST(Topics, TopicCountAndTotalRetentionAreBounded) {
  KvStore kv;
  for (size_t i = 0; i < kTopicsRetainBytesTotalMax / kRetainBytesMax; ++i) {
    ASSERT_TRUE(ApplyTopicCommand(Create("big" + std::to_string(i), 1, kRetainBytesMax), kv).ok);
  }
  const KvResult over = ApplyTopicCommand(Create("one-more", 1, kRetainBytesMin), kv);
  EXPECT_FALSE(over.ok);
  EXPECT_NE(over.output.find("over the limit"), std::string::npos) << over.output;
}

TEST(Topics, PlainKvWritesUnderThePrefixAreFound) {
  const std::string key = TopicDataKey("t", 0);
  EXPECT_TRUE(WritesTopics(wire::KvRequestBody{static_cast<uint8_t>(KvKind::kPut), key, "1", ""}));
  EXPECT_FALSE(WritesTopics(wire::KvRequestBody{static_cast<uint8_t>(KvKind::kGet), key, "", ""}));
  const auto txn = [](uint8_t kind, std::string k, std::string end) {
    return wire::TxnRequestBody{{}, {{kind, std::move(k), std::move(end), "", 0, 0}}, {}};
  };
  EXPECT_TRUE(WritesTopics(txn(wire::TxnOpBody::kPut, key, "")));
  EXPECT_TRUE(WritesTopics(txn(wire::TxnOpBody::kDelete, "", std::string(1, '\0'))));
  EXPECT_TRUE(WritesTopics(txn(wire::TxnOpBody::kDelete, "pifleet/", "pifleet0")));
  EXPECT_FALSE(WritesTopics(txn(wire::TxnOpBody::kRange, "", std::string(1, '\0'))));
  EXPECT_FALSE(WritesTopics(txn(wire::TxnOpBody::kDelete, "pifleet/a", "pifleet/topic/")));
  EXPECT_FALSE(WritesTopics(txn(wire::TxnOpBody::kPut, "pifleet/topics", "")));
}

void Feed(StateMachine& sm) {
  RegisterSessions(sm, 2);
  uint64_t seq = 0;
  sm.Apply(1, 1, ++seq, Create("chat", 20));
  sm.Apply(2, 1, ++seq, Define("msg", {{"text", FieldKind::kString}}));
  for (int i = 0; i < 50; ++i) {
    sm.Apply(3 + i, 1 + i % 2, ++seq,
             Publish("chat", "msg", R"({"text": "m)" + std::to_string(i) + "\"}"));
  }
  sm.Apply(60, 1, ++seq, Publish("chat", "msg", "{}"));  // refused: recorded, nothing stored
}

TEST(Topics, SnapshotIsByteIdenticalAndRestores) {
  StateMachine a, b;
  Feed(a);
  Feed(b);
  EXPECT_EQ(a.Snapshot(), b.Snapshot());
  EXPECT_EQ(MetaOf(a.kv(), "chat").first_offset, 30u);
  StateMachine restored;
  ASSERT_TRUE(restored.Restore(a.Snapshot()));
  EXPECT_EQ(restored.Snapshot(), a.Snapshot());
  EXPECT_EQ(MetaOf(restored.kv(), "chat"), MetaOf(a.kv(), "chat"));
  // The restored replica goes on exactly as the original.
  const std::string next = Publish("chat", "msg", R"({"text": "after"})");
  EXPECT_EQ(restored.Apply(61, 1, 1000, next), a.Apply(61, 1, 1000, next));
  EXPECT_EQ(restored.Snapshot(), a.Snapshot());
}

}  // namespace
}  // namespace pifleet::sm
