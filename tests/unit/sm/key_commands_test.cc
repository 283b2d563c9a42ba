#include "agent/sm/key_commands.h"

#include <gtest/gtest.h>

#include "tests/unit/wire/test_keys.h"

namespace pifleet::sm {
namespace {

using wire::TestKey;

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
  // No ids at all, and more ids than a keyring holds.
  EXPECT_FALSE(DecodeKeyCommand(EncodeKeyCommand(State(1, 9, {}))).has_value());
  std::vector<uint8_t> many;
  for (uint8_t id = 1; id <= wire::kKeyringKeysMax + 1; ++id) many.push_back(id);
  EXPECT_FALSE(DecodeKeyCommand(EncodeKeyCommand(State(1, 1, many))).has_value());
  many.pop_back();
  EXPECT_TRUE(DecodeKeyCommand(EncodeKeyCommand(State(1, 1, many))).has_value());
}

TEST(KeyCommands, EveryTruncationIsRefused) {
  const std::string state = EncodeKeyCommand(State(0x0102030405060708, 7, {1, 7, 200}));
  // A state's ids may end anywhere; a cut inside node or primary, or before any id, is refused.
  for (size_t length = 0; length < 1 + 8 + 1 + 1; ++length) {
    EXPECT_FALSE(DecodeKeyCommand(state.substr(0, length)).has_value()) << length;
  }
  KeyCommand install;
  install.kind = KeyCommandKind::kInstall;
  install.key = TestKey(3);
  const std::string bytes = EncodeKeyCommand(install);
  for (size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_FALSE(DecodeKeyCommand(bytes.substr(0, length)).has_value()) << length;
  }
}

}  // namespace
}  // namespace pifleet::sm
