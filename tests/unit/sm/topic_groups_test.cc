// Consumer groups in the state machine (sm/topic_groups.h, docs/topics.md): each object goes to
// one member at a time; an ack commits only for the current delivery attempt (a late ack of a
// replaced member is refused); a delivery past its ack wait goes to another member; a poison
// object is parked after max_deliveries failures; types filter; retention and topic delete; and
// malformed or out-of-bounds commands refused, never asserted.
#include "agent/sm/topic_groups.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "agent/sm/kv_op.h"
#include "agent/sm/topics.h"

namespace pifleet::sm {
namespace {

constexpr uint64_t kWaitMs = 1000;

class TopicGroups : public ::testing::Test {
 protected:
  void SetUp() override {
    TopicCommand create;
    create.kind = TopicCommandKind::kCreate;
    create.topic = "t";
    create.retain_count = 100;
    ASSERT_TRUE(ApplyTopicCommand(EncodeTopicCommand(create), kv_).ok);
  }

  void Publish(int n, const std::string& type = "X") {
    for (int i = 0; i < n; ++i) {
      TopicCommand c;
      c.kind = TopicCommandKind::kPublish;
      c.topic = "t";
      c.type = type;
      c.published_by = "pi-1";
      c.data = std::to_string(i);
      ASSERT_TRUE(ApplyTopicCommand(EncodeTopicCommand(c), kv_).ok);
    }
  }

  KvResult Claim(const std::string& member, uint64_t now_ms, uint64_t max = 1,
                 std::vector<std::string> types = {}, uint64_t max_deliveries = 3) {
    GroupCommand c;
    c.topic = "t";
    c.group = "g";
    c.member = member;
    c.now_ms = now_ms;
    c.max = max;
    c.ack_wait_ms = kWaitMs;
    c.max_deliveries = max_deliveries;
    c.types = std::move(types);
    return ApplyGroupCommand(EncodeGroupCommand(c), kv_);
  }

  KvResult Ack(const std::string& member, uint64_t now_ms, std::vector<GroupAck> acks,
               const std::string& reason = "") {
    GroupCommand c;
    c.claim = false;
    c.topic = "t";
    c.group = "g";
    c.member = member;
    c.now_ms = now_ms;
    c.acks = std::move(acks);
    c.reason = reason;
    return ApplyGroupCommand(EncodeGroupCommand(c), kv_);
  }

  GroupState State() {
    const auto value = kv_.Find(GroupKey("t", "g"));
    EXPECT_TRUE(value.has_value());
    return value ? DecodeGroupState(*value).value_or(GroupState{}) : GroupState{};
  }

  // The words of a result after its revision (and, for a claim, its wait).
  static std::string Tail(const KvResult& result, int skip) {
    std::string s = result.output;
    for (int i = 0; i < skip; ++i) {
      const size_t space = s.find(' ');
      s = space == std::string::npos ? "" : s.substr(space + 1);
    }
    return s;
  }

  KvStore kv_;
};

TEST_F(TopicGroups, EachObjectGoesToOneMemberAndAnAckCommitsIt) {
  Publish(4);
  const KvResult a = Claim("a", 100, 2);
  ASSERT_TRUE(a.ok) << a.output;
  EXPECT_EQ(Tail(a, 2), "d:0:1 d:1:1 more");
  EXPECT_EQ(Tail(Claim("b", 100, 8), 2), "d:2:1 d:3:1");
  EXPECT_EQ(Tail(Claim("c", 100, 8), 1), "1000");  // nothing left; a deadline in 1000 ms
  EXPECT_EQ(Tail(Ack("a", 200, {{0, 1, GroupOutcome::kAck}, {1, 1, GroupOutcome::kAck}}), 1), "");
  EXPECT_EQ(Tail(Ack("b", 200, {{2, 1, GroupOutcome::kAck}}), 1), "");
  // An ack of what another member holds, of a wrong attempt, or twice: refused (stale).
  EXPECT_EQ(Tail(Ack("a", 200, {{3, 1, GroupOutcome::kAck}}), 1), "s:3");
  EXPECT_EQ(Tail(Ack("b", 200, {{3, 2, GroupOutcome::kAck}}), 1), "s:3");
  EXPECT_EQ(Tail(Ack("a", 200, {{0, 1, GroupOutcome::kAck}}), 1), "s:0");
  const GroupState s = State();
  EXPECT_EQ(s.acked, 3u);
  EXPECT_EQ(s.pending.size(), 1u);
  EXPECT_EQ(s.next_offset, 4u);
}

TEST_F(TopicGroups, ADeliveryPastItsAckWaitGoesToAnotherMemberAndTheLateAckIsRefused) {
  Publish(1);
  EXPECT_EQ(Tail(Claim("a", 1000), 2), "d:0:1");
  EXPECT_EQ(Tail(Claim("b", 1500), 1), "500");    // a still holds it
  EXPECT_EQ(Tail(Claim("b", 2000), 2), "d:0:2");  // a's ack wait passed: attempt 2 to b
  EXPECT_EQ(Tail(Ack("a", 2100, {{0, 1, GroupOutcome::kAck}}), 1), "s:0");  // too late
  EXPECT_EQ(Tail(Ack("b", 2100, {{0, 2, GroupOutcome::kAck}}), 1), "");
  EXPECT_EQ(State().acked, 1u);
  EXPECT_TRUE(State().pending.empty());
}

TEST_F(TopicGroups, LogTimeNeverGoesBack) {
  Publish(1);
  EXPECT_EQ(Tail(Claim("a", 5000), 2), "d:0:1");
  EXPECT_EQ(Tail(Claim("b", 100), 1), "1000");  // an older clock does not move the group back
  EXPECT_EQ(State().time_ms, 5000u);
}

TEST_F(TopicGroups, AReleasedObjectGoesToTheNextClaimWithoutCountingAFailure) {
  Publish(1);
  Claim("a", 0);
  EXPECT_EQ(Tail(Ack("a", 10, {{0, 1, GroupOutcome::kRelease}}), 1), "");
  EXPECT_EQ(Tail(Claim("b", 20), 2), "d:0:2");
  EXPECT_EQ(State().pending.at(0).failures, 0u);
}

TEST_F(TopicGroups, APoisonObjectIsParkedAfterMaxDeliveriesFailures) {
  Publish(2);
  for (uint64_t attempt = 1; attempt <= 3; ++attempt) {
    const std::string member = "m" + std::to_string(attempt);
    EXPECT_EQ(Tail(Claim(member, attempt * 10), 2), "d:0:" + std::to_string(attempt) + " more");
    const KvResult r = Ack(member, attempt * 10 + 1, {{0, attempt, GroupOutcome::kFail}},
                           "`./work` exited 3 on attempt " + std::to_string(attempt));
    EXPECT_EQ(Tail(r, 1), attempt == 3 ? "p:0" : "");
  }
  EXPECT_EQ(Tail(Claim("m4", 100), 2), "d:1:1");  // 0 is never delivered again
  const GroupState s = State();
  EXPECT_EQ(s.parked, 1u);
  const auto story = kv_.Find(ParkedPrefix("t", "g") + "0000000000000000");
  ASSERT_TRUE(story.has_value());
  const nlohmann::json j = nlohmann::json::parse(*story);
  EXPECT_EQ(j["deliveries"], 3);
  EXPECT_EQ(j["reason"], "`./work` exited 3 on attempt 3");
  EXPECT_EQ(j["last_member"], "m3");
}

TEST_F(TopicGroups, ExpiriesCountAsFailuresToo) {
  Publish(1);
  Claim("a", 0, 1, {}, 2);
  Claim("b", kWaitMs, 1, {}, 2);                                 // a's delivery expired: to b
  EXPECT_EQ(Tail(Claim("c", 2 * kWaitMs, 1, {}, 2), 2), "p:0");  // b's too: parked
  const auto story = kv_.Find(ParkedPrefix("t", "g") + "0000000000000000");
  ASSERT_TRUE(story.has_value());
  EXPECT_NE(story->find("no acknowledgement from b"), std::string::npos) << *story;
}

TEST_F(TopicGroups, AGroupTakesOnlyItsTypes) {
  Publish(2, "X");
  Publish(2, "Y");
  Publish(1, "X");
  EXPECT_EQ(Tail(Claim("a", 0, 8, {"Y"}), 2), "d:2:1 d:3:1");
  // Its types are fixed when it is made: a member asking for others is refused (exit 2).
  const KvResult other = Claim("b", 0, 8, {"X"});
  EXPECT_FALSE(other.ok);
  EXPECT_TRUE(other.output.starts_with("invalid: group 'g' takes other types")) << other.output;
  EXPECT_TRUE(Claim("b", 0, 8).ok);  // no types given: the group's
}

TEST_F(TopicGroups, ObjectsRetentionDroppedAreCountedAndSkipped) {
  Publish(3);
  EXPECT_EQ(Tail(Claim("a", 0, 1), 2), "d:0:1 more");
  Publish(100);  // retain_count 100: offsets 0..2 go
  const KvResult r = Claim("b", 10, 2);
  EXPECT_EQ(Tail(r, 2), "x:3 d:3:1 d:4:1 more");
  EXPECT_EQ(State().dropped, 3u);
  EXPECT_EQ(Tail(Ack("a", 20, {{0, 1, GroupOutcome::kAck}}), 1), "s:0");
}

TEST_F(TopicGroups, ANewGroupStartsAtLatestWhenAsked) {
  Publish(3);
  GroupCommand c;
  c.topic = "t";
  c.group = "g";
  c.member = "a";
  c.start = kStartLatest;
  c.max = 4;
  EXPECT_EQ(Tail(ApplyGroupCommand(EncodeGroupCommand(c), kv_), 1), "0");
  Publish(1);
  EXPECT_EQ(Tail(ApplyGroupCommand(EncodeGroupCommand(c), kv_), 2), "d:3:1");
}

TEST_F(TopicGroups, PendingDeliveriesAreBounded) {
  TopicCommand big;
  big.kind = TopicCommandKind::kDelete;
  big.topic = "t";
  ASSERT_TRUE(ApplyTopicCommand(EncodeTopicCommand(big), kv_).ok);
  big.kind = TopicCommandKind::kCreate;
  big.retain_count = 1000;
  ASSERT_TRUE(ApplyTopicCommand(EncodeTopicCommand(big), kv_).ok);
  Publish(kGroupPendingMax + 10);
  for (size_t i = 0; i * kGroupClaimMax < kGroupPendingMax; ++i) {
    Claim("a" + std::to_string(i), 0, kGroupClaimMax);
  }
  EXPECT_EQ(State().pending.size(), kGroupPendingMax);
  EXPECT_EQ(Tail(Claim("late", 0, kGroupClaimMax), 1), std::to_string(kWaitMs));  // none, no more
  // The largest state (every member name at its bound) still fits one kv value.
  GroupState s;
  for (uint64_t i = 0; i < kGroupPendingMax; ++i) {
    s.pending[i] = {std::string(kMemberBytesMax, 'm'), 1, 1, 0};
  }
  EXPECT_LT(EncodeGroupState(s).size(), kKvValueBytesMax);
}

TEST_F(TopicGroups, GroupsPerTopicAreBounded) {
  for (size_t i = 0; i < kGroupsPerTopicMax; ++i) {
    GroupCommand c;
    c.topic = "t";
    c.group = "g" + std::to_string(i);
    c.member = "a";
    ASSERT_TRUE(ApplyGroupCommand(EncodeGroupCommand(c), kv_).ok) << i;
  }
  GroupCommand one_more;
  one_more.topic = "t";
  one_more.group = "last";
  one_more.member = "a";
  const KvResult r = ApplyGroupCommand(EncodeGroupCommand(one_more), kv_);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.output.find("groups already (the limit)"), std::string::npos) << r.output;
}

TEST_F(TopicGroups, DeletingTheTopicDeletesItsGroups) {
  Publish(2);
  Claim("a", 0, 1, {}, 1);
  Ack("a", 1, {{0, 1, GroupOutcome::kFail}});  // parked
  TopicCommand del;
  del.kind = TopicCommandKind::kDelete;
  del.topic = "t";
  ASSERT_TRUE(ApplyTopicCommand(EncodeTopicCommand(del), kv_).ok);
  EXPECT_FALSE(kv_.Find(GroupKey("t", "g")).has_value());
  EXPECT_FALSE(kv_.Find(ParkedPrefix("t", "g") + "0000000000000000").has_value());
  EXPECT_FALSE(Claim("a", 2).ok);  // no topic
}

TEST_F(TopicGroups, MalformedAndOutOfBoundsCommandsAreRefused) {
  Publish(1);
  GroupCommand c;
  c.topic = "t";
  c.group = "g";
  c.member = "a";
  const std::string good = EncodeGroupCommand(c);
  ASSERT_EQ(DecodeGroupCommand(good), c);
  for (size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_FALSE(ApplyGroupCommand(good.substr(0, cut), kv_).ok) << cut;
  }
  EXPECT_FALSE(ApplyGroupCommand(good + "x", kv_).ok);
  for (const auto& bad : std::vector<std::function<void(GroupCommand&)>>{
           [](GroupCommand& g) { g.group = "a/b"; },
           [](GroupCommand& g) { g.member = ""; },
           [](GroupCommand& g) { g.max = 0; },
           [](GroupCommand& g) { g.max = kGroupClaimMax + 1; },
           [](GroupCommand& g) { g.ack_wait_ms = 1; },
           [](GroupCommand& g) { g.max_deliveries = kGroupMaxDeliveriesMax + 1; },
           [](GroupCommand& g) {
             g.types = {"X", "X"};
           },
       }) {
    GroupCommand b = c;
    bad(b);
    EXPECT_FALSE(ApplyGroupCommand(EncodeGroupCommand(b), kv_).ok);
  }
  GroupCommand ack = c;
  ack.claim = false;
  ack.acks = {{0, 1, GroupOutcome::kAck}};
  EXPECT_FALSE(ApplyGroupCommand(EncodeGroupCommand(ack), kv_).ok);  // no group yet
  std::string bad_outcome = EncodeGroupCommand(ack);
  bad_outcome[bad_outcome.size() - 9] = 7;  // the entry's outcome byte
  EXPECT_FALSE(DecodeGroupCommand(bad_outcome).has_value());
  EXPECT_FALSE(kv_.Find(GroupKey("t", "g")).has_value());  // nothing stored
}

}  // namespace
}  // namespace pifleet::sm
