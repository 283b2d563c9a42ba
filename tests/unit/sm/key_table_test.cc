// The members' key reports as replicated state: the checks `key use` and `key remove` make,
// the bound on rows, and the snapshot bytes (round trip, refusal of what Apply cannot produce).
#include "agent/sm/key_table.h"

#include <gtest/gtest.h>

namespace pifleet::sm {
namespace {

KeyCommand State(uint64_t node, uint8_t primary, std::vector<uint8_t> ids) {
  KeyCommand command;
  command.kind = KeyCommandKind::kState;
  command.node = node;
  command.key_id = primary;
  command.ids = std::move(ids);
  return command;
}

std::string Encode(const KeyTable& table) {
  ByteWriter w;
  table.EncodeTo(w);
  return w.out;
}

TEST(KeyTable, UseIsRefusedUntilEveryMemberReportsTheKey) {
  KeyTable table;
  const std::vector<uint64_t> members{1, 2, 3};
  table.Apply(10, State(1, 0xa, {0xa, 0xb}));
  table.Apply(11, State(2, 0xa, {0xa, 0xb}));
  EXPECT_NE(table.CheckUse(0xb, members).message().find("node 3 (it has not reported"),
            std::string::npos);
  table.Apply(12, State(3, 0xa, {0xa}));
  EXPECT_NE(table.CheckUse(0xb, members).message().find("not installed on node 3"),
            std::string::npos);
  EXPECT_EQ(table.CountInstalled(0xb, members), 2u);
  table.Apply(13, State(3, 0xa, {0xa, 0xb}));
  EXPECT_TRUE(table.CheckUse(0xb, members).ok());
  EXPECT_EQ(table.CountInstalled(0xb, members), 3u);
  EXPECT_EQ(table.Find(3)->updated_slot, 13u);
  // A node outside the configuration does not hold the cluster back.
  table.Apply(14, State(9, 0xa, {0xa}));
  EXPECT_TRUE(table.CheckUse(0xb, members).ok());
}

TEST(KeyTable, RemoveIsRefusedForThePrimaryAndWhileAMemberStillSendsWithTheOldKey) {
  KeyTable table;
  const std::vector<uint64_t> members{1, 2};
  table.Apply(1, State(1, 0xb, {0xa, 0xb}));
  table.Apply(2, State(2, 0xa, {0xa, 0xb}));
  EXPECT_NE(table.CheckRemove(0xb, 0xb, members).message().find("is the primary"),
            std::string::npos);
  EXPECT_NE(table.CheckRemove(0xa, 0xb, members).message().find("still uses 0a"),
            std::string::npos);
  EXPECT_EQ(table.CountPrimary(0xb, members), 1u);
  table.Apply(3, State(2, 0xb, {0xa, 0xb}));
  EXPECT_TRUE(table.CheckRemove(0xa, 0xb, members).ok());
}

TEST(KeyTable, OtherKindsLeaveItAloneAndItsSizeIsBounded) {
  KeyTable table;
  KeyCommand use;
  use.kind = KeyCommandKind::kUse;
  use.key_id = 1;
  table.Apply(1, use);
  EXPECT_EQ(table.Find(0), nullptr);
  for (uint64_t node = 1; node <= kKeyTableNodesMax + 1; ++node) {
    table.Apply(node, State(node, 1, {1}));
  }
  EXPECT_EQ(table.Find(1), nullptr);  // the least recently updated row went
  EXPECT_NE(table.Find(2), nullptr);
  EXPECT_NE(table.Find(kKeyTableNodesMax + 1), nullptr);
}

TEST(KeyTable, SnapshotBytesRoundTripAndEvictionContinuesTheSame) {
  KeyTable table;
  for (uint64_t node = 1; node <= 40; ++node) {
    table.Apply(100 + node % 7, State(node * 1000, 3, {1, 3, static_cast<uint8_t>(10 + node)}));
  }
  const std::string bytes = Encode(table);
  KeyTable restored;
  ByteReader r{bytes};
  ASSERT_TRUE(restored.DecodeFrom(r));
  EXPECT_TRUE(r.in.empty());
  EXPECT_EQ(Encode(restored), bytes);
  for (uint64_t node = 1; node <= 40; ++node) {
    ASSERT_NE(restored.Find(node * 1000), nullptr);
    EXPECT_EQ(*restored.Find(node * 1000), *table.Find(node * 1000));
  }
}

TEST(KeyTable, DecodeRefusesRowsApplyCannotProduceAndChangesNothing) {
  KeyTable source;
  source.Apply(5, State(7, 3, {1, 3}));
  const std::string good = Encode(source);
  KeyTable target;
  target.Apply(9, State(8, 2, {2}));
  const std::string before = Encode(target);
  const auto refused = [&](std::string bytes) {
    ByteReader r{bytes};
    return !target.DecodeFrom(r);
  };
  for (size_t n = 0; n < good.size(); ++n) EXPECT_TRUE(refused(good.substr(0, n))) << n;
  // Layout: count u64 | node u64 | primary u8 | updated_slot u64 | id count u64 | ids.
  std::string bad = good;
  bad[8 + 8] = 9;  // a primary that is not among the ids
  EXPECT_TRUE(refused(bad));
  bad = good;
  bad[8 + 8 + 1 + 8 + 8] = 3;  // ids 3, 3: not ascending and unique
  EXPECT_TRUE(refused(bad));
  bad = good;
  bad[8 + 8 + 1 + 8] = 0;  // no ids at all
  EXPECT_TRUE(refused(bad));
  EXPECT_EQ(Encode(target), before);
  ByteReader r{good};
  ASSERT_TRUE(target.DecodeFrom(r));
  EXPECT_EQ(Encode(target), good);
}

}  // namespace
}  // namespace pifleet::sm
