#include "agent/wire/key_table.h"

#include <gtest/gtest.h>

#include "agent/wire/key_commands.h"
#include "tests/unit/wire/test_keys.h"

namespace pifleet::wire {
namespace {

KeyCommand State(uint64_t node, uint8_t primary, std::vector<uint8_t> ids) {
  KeyCommand command;
  command.kind = KeyCommandKind::kState;
  command.node = node;
  command.key_id = primary;
  command.ids = std::move(ids);
  return command;
}

TEST(KeyCommands, EveryKindRoundTripsAndIsToldApartFromOtherCommands) {
  KeyCommand install;
  install.kind = KeyCommandKind::kInstall;
  install.key = TestKey(3);
  KeyCommand use;
  use.kind = KeyCommandKind::kUse;
  use.key_id = 0x3f;
  KeyCommand remove;
  remove.kind = KeyCommandKind::kRemove;
  remove.key_id = 0xa0;
  for (const KeyCommand& command :
       {install, use, remove, State(0x0102030405060708, 7, {1, 7, 200})}) {
    const std::string bytes = EncodeKeyCommand(command);
    EXPECT_TRUE(IsKeyCommand(bytes));
    const auto decoded = DecodeKeyCommand(bytes);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, command);
    EXPECT_FALSE(DecodeKeyCommand(bytes + "x").has_value());  // trailing bytes
  }
  EXPECT_FALSE(IsKeyCommand(""));
  EXPECT_FALSE(IsKeyCommand("\x01kv"));
  EXPECT_FALSE(IsKeyCommand("\x10member"));
  EXPECT_FALSE(DecodeKeyCommand(std::string("\x20", 1) + "short").has_value());
  // A state must be ascending, unique and include its primary.
  EXPECT_FALSE(DecodeKeyCommand(EncodeKeyCommand(State(1, 7, {7, 1}))).has_value());
  EXPECT_FALSE(DecodeKeyCommand(EncodeKeyCommand(State(1, 7, {7, 7}))).has_value());
  EXPECT_FALSE(DecodeKeyCommand(EncodeKeyCommand(State(1, 9, {7}))).has_value());
}

TEST(KeyIdText, TwoHexDigits) {
  EXPECT_EQ(KeyIdText(0x0a), "0a");
  uint8_t id = 0;
  ASSERT_TRUE(ParseKeyIdText("3F", &id));
  EXPECT_EQ(id, 0x3f);
  EXPECT_FALSE(ParseKeyIdText("3", &id));
  EXPECT_FALSE(ParseKeyIdText("3g", &id));
  EXPECT_FALSE(ParseKeyIdText("03f", &id));
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

}  // namespace
}  // namespace pifleet::wire
