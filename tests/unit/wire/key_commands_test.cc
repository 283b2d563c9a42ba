#include "agent/wire/key_commands.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pifleet::wire
