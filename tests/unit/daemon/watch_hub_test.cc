// The watch hub: events in revision order from a cursor, a revision split over replies resumed at
// its index, held requests answered on the next matching event or at their deadline, the
// compacted answer with the oldest revision, a new history after a jump, and the memory bounds.
#include "agent/daemon/watch_hub.h"

#include <gtest/gtest.h>

#include "agent/sm/kv_txn.h"

namespace pifleet::daemon {
namespace {

using wire::TxnOpBody;

struct Sent {
  uint64_t client_id;
  wire::WatchReplyBody reply;
};

class WatchHubTest : public ::testing::Test {
 protected:
  WatchHub hub_{[this](const net::UdpAddress&, uint64_t client_id, uint64_t, std::string payload) {
    Sent sent{client_id, {}};
    ASSERT_TRUE(wire::DecodeBody(payload, &sent.reply));
    sent_.push_back(std::move(sent));
  }};
  sm::KvStore kv_;
  std::vector<Sent> sent_;

  void Apply(std::vector<TxnOpBody> ops) {
    ASSERT_TRUE(kv_.Apply(sm::EncodeKvTxn({{}, std::move(ops), {}})).ok);
    hub_.OnApplied(kv_);
  }
  void Put(const std::string& key, const std::string& value) {
    Apply({{TxnOpBody::kPut, key, "", value, 0, 0}});
  }
  void Ask(uint64_t client, wire::WatchRequestBody body, uint64_t now_ms = 0) {
    ASSERT_TRUE(hub_.OnRequest(client, 1, wire::EncodeBody(body), net::UdpAddress(), now_ms));
  }
};

TEST_F(WatchHubTest, PrefixEventsInOrderFromACursor) {
  Put("a/1", "x");
  Put("b", "y");
  Put("a/2", "z");
  Apply({{TxnOpBody::kDelete, "a/", sm::PrefixEnd("a/"), "", 0, 0}});
  Ask(7, {"a/", sm::PrefixEnd("a/"), 2, 0, 0});
  ASSERT_EQ(sent_.size(), 1u);
  const wire::WatchReplyBody& reply = sent_[0].reply;
  ASSERT_EQ(reply.events.size(), 3u) << "a/2 put, a/1 and a/2 deleted; b is not watched";
  EXPECT_EQ(reply.events[0].row.key, "a/2");
  EXPECT_EQ(reply.events[1].type, 1);
  EXPECT_EQ(reply.events[1].row.mod_revision, 4u);
  EXPECT_EQ(reply.next_revision, 5u);
  EXPECT_EQ(reply.oldest_revision, 1u);
}

TEST_F(WatchHubTest, HeldUntilAnEventOrTheDeadline) {
  Put("k", "1");
  Ask(7, {"k", "", 0, 0, 1000}, /*now_ms=*/100);  // from the next revision: nothing yet
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(hub_.held(), 1u);
  Put("other", "x");
  EXPECT_TRUE(sent_.empty()) << "not the watched key";
  Put("k", "2");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].reply.events.at(0).row.value, "2");
  EXPECT_EQ(sent_[0].reply.next_revision, 4u);
  Ask(7, {"k", "", 4, 0, 1000}, 200);
  hub_.OnTick(1199);
  EXPECT_EQ(sent_.size(), 1u);
  hub_.OnTick(1200);
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_TRUE(sent_[1].reply.events.empty());
  EXPECT_EQ(sent_[1].reply.next_revision, 4u);
  EXPECT_EQ(hub_.held(), 0u);
}

TEST_F(WatchHubTest, ARevisionSplitOverRepliesResumesAtItsIndex) {
  std::vector<TxnOpBody> puts;
  for (int i = 0; i < 16; ++i) {
    puts.push_back(
        {TxnOpBody::kPut, "k" + std::to_string(100 + i), "", std::string(8000, 'v'), 0, 0});
  }
  Apply(puts);  // one revision, 16 events of 8 KB: more than one reply holds
  std::vector<std::string> seen;
  wire::WatchRequestBody body{"k", sm::PrefixEnd("k"), 1, 0, 0};
  for (int round = 0; round < 5 && body.from_revision == 1; ++round) {
    Ask(7, body);
    for (const auto& event : sent_.back().reply.events) seen.push_back(event.row.key);
    body.from_revision = sent_.back().reply.next_revision;
    body.from_index = sent_.back().reply.next_index;
  }
  ASSERT_EQ(seen.size(), 16u);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(seen[i], "k" + std::to_string(100 + i));
  EXPECT_GT(sent_.size(), 1u);
}

TEST_F(WatchHubTest, CompactedAndBoundedHistory) {
  const std::string value(1000, 'v');
  for (size_t i = 0; i < WatchHub::kHistoryBytesMax / 1000 + 10; ++i) Put("k", value);
  EXPECT_LE(hub_.history_bytes(), WatchHub::kHistoryBytesMax);
  EXPECT_LE(hub_.history_events(), WatchHub::kHistoryEventsMax);
  EXPECT_GT(hub_.oldest_revision(), 1u);
  Ask(7, {"k", "", 1, 0, 0});
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].reply.status, wire::WatchReplyBody::kCompacted);
  EXPECT_EQ(sent_[0].reply.oldest_revision, hub_.oldest_revision());
  Ask(7, {"k", "", hub_.oldest_revision(), 0, 0});
  EXPECT_EQ(sent_[1].reply.status, wire::WatchReplyBody::kEvents);
  EXPECT_EQ(sent_[1].reply.events.at(0).row.mod_revision, hub_.oldest_revision());
}

TEST_F(WatchHubTest, AJumpStartsANewHistory) {
  Put("k", "1");
  sm::KvStore other;
  for (int i = 0; i < 5; ++i)
    other.Apply(sm::EncodeKvTxn({{}, {{TxnOpBody::kPut, "k", "", "x", 0, 0}}, {}}));
  ByteWriter w;
  other.EncodeTo(w);
  ByteReader r{w.out};
  ASSERT_TRUE(kv_.DecodeFrom(r));  // as a snapshot install does
  hub_.OnApplied(kv_);
  EXPECT_EQ(hub_.oldest_revision(), 6u);
  EXPECT_EQ(hub_.history_events(), 0u);
  Ask(7, {"k", "", 2, 0, 0});
  EXPECT_EQ(sent_.back().reply.status, wire::WatchReplyBody::kCompacted);
}

TEST_F(WatchHubTest, AHeldCursorBeforeAJumpIsToldCompactedNotGivenAGap) {
  Put("k", "1");
  Ask(7, {"k", "", 2, 0, 5000});
  EXPECT_EQ(hub_.held(), 1u);
  sm::KvStore other;
  for (int i = 0; i < 5; ++i) {
    other.Apply(sm::EncodeKvTxn({{}, {{TxnOpBody::kPut, "k", "", "x", 0, 0}}, {}}));
  }
  ByteWriter w;
  other.EncodeTo(w);
  ByteReader r{w.out};
  ASSERT_TRUE(kv_.DecodeFrom(r));
  hub_.OnApplied(kv_);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].reply.status, wire::WatchReplyBody::kCompacted);
  EXPECT_EQ(sent_[0].reply.oldest_revision, 6u);
  EXPECT_EQ(hub_.held(), 0u);
}

TEST_F(WatchHubTest, HeldRequestsAreBounded) {
  for (uint64_t client = 1; client <= WatchHub::kHeldMax + 3; ++client) {
    Ask(client, {"k", "", 0, 0, 5000});
  }
  EXPECT_EQ(hub_.held(), WatchHub::kHeldMax);
  ASSERT_EQ(sent_.size(), 3u) << "the oldest held requests are answered at once";
  EXPECT_EQ(sent_[0].client_id, 1u);
  Ask(9, {"k", "", 0, 0, 5000});
  EXPECT_EQ(hub_.held(), WatchHub::kHeldMax) << "a client's newer request replaces its held one";
  EXPECT_FALSE(hub_.OnRequest(1, 1, "garbage", net::UdpAddress(), 0));
}

}  // namespace
}  // namespace pifleet::daemon
