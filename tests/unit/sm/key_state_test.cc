// The key section of the state machine: the cluster keyring the log defines (install, use,
// remove on top of the keys nodes start with), how a node's own keyring adopts it, the members'
// reports, exactly-once application, and its place in state-machine snapshots.
#include "agent/sm/key_state.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "agent/sm/state_machine.h"
#include "tests/unit/sm/sessions_helper.h"
#include "tests/unit/wire/test_keys.h"

namespace pifleet::sm {
namespace {

using wire::KeyBytes;

KeyCommand Install(const KeyBytes& key) {
  KeyCommand command;
  command.kind = KeyCommandKind::kInstall;
  command.key = key;
  return command;
}

KeyCommand Use(uint8_t key_id) {
  KeyCommand command;
  command.kind = KeyCommandKind::kUse;
  command.key_id = key_id;
  return command;
}

KeyCommand Remove(uint8_t key_id) {
  KeyCommand command;
  command.kind = KeyCommandKind::kRemove;
  command.key_id = key_id;
  return command;
}

KeyCommand Report(uint64_t node, uint8_t primary, std::vector<uint8_t> ids) {
  KeyCommand command;
  command.kind = KeyCommandKind::kState;
  command.node = node;
  command.key_id = primary;
  command.ids = std::move(ids);
  return command;
}

// A key whose id is `id` but whose bytes differ from `other`.
KeyBytes KeyWithId(uint8_t id, const KeyBytes& other) {
  for (uint8_t fill = 0;; ++fill) {
    for (uint8_t salt = 0; salt < 255; ++salt) {
      KeyBytes key = wire::TestKey(fill);
      key[31] = salt;
      if (wire::KeyId(key) == id && key != other) return key;
    }
  }
}

TEST(ClusterKeys, InstallUseRemoveAsTheLogDefinesThem) {
  const auto [k1, k2] = wire::TwoTestKeys();
  const uint8_t id1 = wire::KeyId(k1), id2 = wire::KeyId(k2);
  ClusterKeys keys;
  EXPECT_EQ(keys.Apply(10, Install(k2)), "");
  EXPECT_EQ(keys.changed_slot(), 10u);
  EXPECT_EQ(keys.Apply(11, Install(k2)), "");  // twice is harmless and changes nothing
  EXPECT_EQ(keys.changed_slot(), 10u);
  EXPECT_NE(keys.Apply(12, Install(KeyWithId(id2, k2))).find("is taken by another"),
            std::string::npos);
  EXPECT_FALSE(keys.primary().has_value());  // install never chooses the primary
  EXPECT_EQ(keys.Apply(13, Use(id2)), "");
  EXPECT_EQ(keys.primary(), id2);
  EXPECT_NE(keys.Apply(14, Remove(id2)).find("is the primary"), std::string::npos);
  // A key nodes started with (never installed through the log) can still be removed.
  EXPECT_EQ(keys.Apply(15, Remove(id1)), "");
  EXPECT_EQ(keys.removed(), std::set<uint8_t>{id1});
  EXPECT_NE(keys.Apply(16, Use(id1)).find("no installed key"), std::string::npos);
  EXPECT_NE(keys.Apply(17, Remove(id1)).find("no installed key"), std::string::npos);
  EXPECT_EQ(keys.changed_slot(), 15u);
  EXPECT_EQ(keys.Apply(18, Install(k1)), "");  // brought back
  EXPECT_TRUE(keys.removed().empty());
  EXPECT_EQ(keys.keys().size(), 2u);
  EXPECT_EQ(keys.keys().at(id1), k1);
}

TEST(ClusterKeys, TheKeyringIsBounded) {
  ClusterKeys keys;
  std::set<uint8_t> ids;
  for (uint8_t fill = 0; ids.size() < wire::kKeyringKeysMax; ++fill) {
    const KeyBytes key = wire::TestKey(fill);
    if (!ids.insert(wire::KeyId(key)).second) continue;
    ASSERT_EQ(keys.Apply(fill, Install(key)), "");
  }
  KeyBytes extra = wire::TestKey(0);
  for (uint8_t salt = 0; ids.count(wire::KeyId(extra)) != 0; ++salt) extra[0] = salt;
  EXPECT_NE(keys.Apply(999, Install(extra)).find("keyring is full"), std::string::npos);
  EXPECT_EQ(keys.keys().size(), wire::kKeyringKeysMax);
}

// Replays commands on a node's own keyring the way the agent did before the keyring was part
// of the state machine: each step applied, refused steps skipped.
wire::Keyring Replay(wire::Keyring keyring, const std::vector<KeyCommand>& commands) {
  for (const KeyCommand& command : commands) {
    if (command.kind == KeyCommandKind::kInstall) (void)keyring.Install(command.key);
    if (command.kind == KeyCommandKind::kUse) (void)keyring.Use(command.key_id);
    if (command.kind == KeyCommandKind::kRemove) (void)keyring.Remove(command.key_id);
  }
  return keyring;
}

void ExpectSameKeyring(const wire::Keyring& a, const wire::Keyring& b) {
  std::vector<uint8_t> ids_a = a.ids(), ids_b = b.ids();
  std::sort(ids_a.begin(), ids_a.end());
  std::sort(ids_b.begin(), ids_b.end());
  EXPECT_EQ(ids_a, ids_b);
  EXPECT_EQ(a.primary_id(), b.primary_id());
  for (uint8_t id : ids_a) EXPECT_EQ(*a.Find(id), *b.Find(id));
}

TEST(ClusterKeys, MergeIntoGivesWhatReplayingTheLogGives) {
  const auto [k1, k2] = wire::TwoTestKeys();
  KeyBytes k3 = wire::TestKey(50);
  for (uint8_t salt = 0; wire::KeyId(k3) == wire::KeyId(k1) || wire::KeyId(k3) == wire::KeyId(k2);
       ++salt) {
    k3[0] = salt;
  }
  // A full rotation 1 -> 2, then 2 -> 3, as a node that started with k1 sees it.
  const std::vector<KeyCommand> log{Install(k2), Use(wire::KeyId(k2)), Remove(wire::KeyId(k1)),
                                    Install(k3), Use(wire::KeyId(k3)), Remove(wire::KeyId(k2))};
  wire::Keyring started;
  ASSERT_TRUE(started.Install(k1).ok());
  ClusterKeys keys;
  for (size_t i = 0; i < log.size(); ++i) {
    ASSERT_EQ(keys.Apply(i + 1, log[i]), "") << i;
    std::vector<std::string> skipped;
    const wire::Keyring merged = keys.MergeInto(started, &skipped);
    EXPECT_TRUE(skipped.empty()) << i << ": " << skipped.front();
    const std::vector<KeyCommand> prefix(log.begin(),
                                         log.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    ExpectSameKeyring(merged, Replay(started, prefix));
  }
  // A node whose key file already held the newest key ends the same.
  wire::Keyring late;
  ASSERT_TRUE(late.Install(k3).ok());
  std::vector<std::string> skipped;
  ExpectSameKeyring(keys.MergeInto(late, &skipped), Replay(started, log));
}

TEST(ClusterKeys, MergeIntoNeverDropsTheNodesPrimaryAndSaysWhatItSkipped) {
  const auto [k1, k2] = wire::TwoTestKeys();
  wire::Keyring started;
  ASSERT_TRUE(started.Install(k1).ok());
  ClusterKeys keys;
  ASSERT_EQ(keys.Apply(1, Install(k2)), "");
  ASSERT_EQ(keys.Apply(2, Remove(wire::KeyId(k1))), "");  // no `use` yet: k1 is still primary
  std::vector<std::string> skipped;
  wire::Keyring merged = keys.MergeInto(started, &skipped);
  EXPECT_EQ(merged.primary_id(), wire::KeyId(k1));
  EXPECT_NE(merged.Find(wire::KeyId(k2)), nullptr);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("still this node's primary"), std::string::npos);
  // Once the log names another primary, the removal takes effect.
  ASSERT_EQ(keys.Apply(3, Use(wire::KeyId(k2))), "");
  skipped.clear();
  merged = keys.MergeInto(started, &skipped);
  EXPECT_TRUE(skipped.empty());
  EXPECT_EQ(merged.Find(wire::KeyId(k1)), nullptr);
  EXPECT_EQ(merged.primary_id(), wire::KeyId(k2));
  // A key of the node's own with the id of an installed one is kept, and the clash reported.
  wire::Keyring clash;
  ASSERT_TRUE(clash.Install(KeyWithId(wire::KeyId(k2), k2)).ok());
  skipped.clear();
  merged = keys.MergeInto(clash, &skipped);
  EXPECT_EQ(merged.ids().size(), 1u);
  EXPECT_EQ(skipped.size(), 1u);
}

TEST(KeyState, EachCommandAppliesOnceAndReportsFillTheTable) {
  const auto [k1, k2] = wire::TwoTestKeys();
  KeyState state;
  EXPECT_EQ(state.Apply(1, 7, 1, EncodeKeyCommand(Install(k1))), "");
  EXPECT_EQ(state.Apply(2, 7, 2, EncodeKeyCommand(Install(k2))), "");
  EXPECT_EQ(state.Apply(3, 7, 3, EncodeKeyCommand(Use(wire::KeyId(k1)))), "");
  EXPECT_EQ(state.Apply(4, 8, 1, EncodeKeyCommand(Use(wire::KeyId(k2)))), "");
  // Client 7's `use` decided again (a retry through another agent) does not switch back.
  EXPECT_EQ(state.Apply(5, 7, 3, EncodeKeyCommand(Use(wire::KeyId(k1)))), "");
  EXPECT_EQ(state.keyring().primary(), wire::KeyId(k2));
  EXPECT_EQ(state.keyring().changed_slot(), 4u);
  // A refused command is answered the same way on its retry.
  const std::string refused = state.Apply(6, 9, 1, EncodeKeyCommand(Remove(wire::KeyId(k2))));
  EXPECT_NE(refused.find("is the primary"), std::string::npos);
  EXPECT_EQ(state.Result(9, 1), refused);
  EXPECT_EQ(state.Apply(7, 9, 1, EncodeKeyCommand(Remove(wire::KeyId(k1)))), refused);
  EXPECT_EQ(state.Apply(8, 9, 2, std::string("\x21", 1)), "malformed key command");
  EXPECT_FALSE(state.Result(9, 3).has_value());
  state.Apply(9, 1, 1, EncodeKeyCommand(Report(42, wire::KeyId(k2), {})));
  EXPECT_EQ(state.reports().Find(42), nullptr) << "an empty id list is no report";
  std::vector<uint8_t> ids{wire::KeyId(k1), wire::KeyId(k2)};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(state.Apply(10, 1, 2, EncodeKeyCommand(Report(42, wire::KeyId(k2), ids))), "");
  ASSERT_NE(state.reports().Find(42), nullptr);
  EXPECT_EQ(state.reports().Find(42)->updated_slot, 10u);
  EXPECT_EQ(state.keyring().changed_slot(), 4u) << "a report is no keyring change";
}

TEST(KeyState, RememberedResultsAreBounded) {
  const auto [k1, k2] = wire::TwoTestKeys();
  KeyState state;
  const std::string install = EncodeKeyCommand(Install(k1));
  for (uint64_t c = 1; c <= kKeyResultsMax + 1; ++c) state.Apply(c, c, 1, install);
  EXPECT_FALSE(state.Result(1, 1).has_value());  // the oldest went
  EXPECT_TRUE(state.Result(2, 1).has_value());
  EXPECT_TRUE(state.Result(kKeyResultsMax + 1, 1).has_value());
}

// Two replicas fed the same key commands, with kv and members commands between them.
void Feed(StateMachine& sm, uint64_t client) {
  RegisterSessions(sm, 200);
  const auto [k1, k2] = wire::TwoTestKeys();
  sm.Apply(1, client, 1, EncodeKeyCommand(Install(k2)));
  sm.Apply(2, 0, 0, EncodeKvOp(KvOp{KvKind::kPut, "a", "1", ""}));
  sm.Apply(3, client, 2, EncodeKeyCommand(Use(wire::KeyId(k2))));
  std::vector<uint8_t> ids{wire::KeyId(k1), wire::KeyId(k2)};
  std::sort(ids.begin(), ids.end());
  for (uint64_t node = 1; node <= 5; ++node) {
    sm.Apply(3 + node, 100 + node, 1, EncodeKeyCommand(Report(node, wire::KeyId(k2), ids)));
  }
  sm.Apply(9, client, 3, EncodeKeyCommand(Remove(wire::KeyId(k1))));
  sm.Apply(10, client, 4, EncodeKeyCommand(Remove(wire::KeyId(k2))));  // refused
}

TEST(KeySnapshot, ReplicasGiveIdenticalBytesAndARestoredOneBehavesTheSame) {
  StateMachine a, b;
  Feed(a, 77);
  Feed(b, 77);
  const std::string bytes = a.Snapshot();
  EXPECT_EQ(bytes, b.Snapshot());
  EXPECT_EQ(a.StateHash(), b.StateHash());
  StateMachine restored;
  ASSERT_TRUE(restored.Restore(bytes));
  EXPECT_EQ(restored.Snapshot(), bytes);
  EXPECT_EQ(restored.keys().keyring().keys(), a.keys().keyring().keys());
  EXPECT_EQ(restored.keys().keyring().removed(), a.keys().keyring().removed());
  EXPECT_EQ(restored.keys().keyring().primary(), a.keys().keyring().primary());
  EXPECT_EQ(restored.keys().keyring().changed_slot(), 9u);
  ASSERT_NE(restored.keys().reports().Find(5), nullptr);
  EXPECT_EQ(*restored.keys().reports().Find(5), *a.keys().reports().Find(5));
  // The retry of a command applied before the snapshot gets its first answer, not a new one.
  EXPECT_EQ(restored.keys().Result(77, 4), a.keys().Result(77, 4));
  const auto [k1, k2] = wire::TwoTestKeys();
  const std::string retry = EncodeKeyCommand(Install(k1));
  EXPECT_EQ(restored.Apply(11, 77, 3, retry), a.Apply(11, 77, 3, retry));
  EXPECT_EQ(restored.StateHash(), a.StateHash());
  // Key state is part of the hash: a replica that missed one key command differs.
  StateMachine c;
  Feed(c, 77);
  c.Apply(11, 78, 1, retry);
  EXPECT_NE(c.StateHash(), b.StateHash());
}

TEST(KeySnapshot, DamagedOrOtherVersionBytesAreRefusedAndChangeNothing) {
  StateMachine source;
  Feed(source, 5);
  const std::string bytes = source.Snapshot();
  StateMachine target;
  RegisterSessions(target, 1);
  target.Apply(1, 1, 1, EncodeKvOp(KvOp{KvKind::kPut, "b", "2", ""}));
  const std::string before = target.Snapshot();
  for (size_t n = 0; n < bytes.size(); ++n) {
    ASSERT_FALSE(target.Restore(std::string_view(bytes).substr(0, n))) << n;
  }
  EXPECT_FALSE(target.Restore(bytes + '\0'));
  for (uint8_t version : {0, 1, 2, 3, 4, 5, 6, 8, 255}) {  // the current version is 7
    std::string other = bytes;
    other[4] = static_cast<char>(version);
    EXPECT_FALSE(target.Restore(other)) << int{version};
  }
  // A key id that is not its key's (the first key: changed_slot, primary flag and id, count).
  // The keys are followed by the removed-nodes section and the job table.
  const size_t keyring_at = bytes.size() - [&] {
    ByteWriter w;
    source.keys().EncodeTo(w);
    source.members().EncodeRemovedTo(w);
    source.jobs().EncodeTo(w);
    return w.out.size();
  }();
  std::string wrong_key = bytes;
  wrong_key[keyring_at + 8 + 1 + 1 + 8] ^= 0x01;
  EXPECT_FALSE(target.Restore(wrong_key));
  EXPECT_EQ(target.Snapshot(), before);
  ASSERT_TRUE(target.Restore(bytes));
  EXPECT_EQ(target.Snapshot(), bytes);
}

}  // namespace
}  // namespace pifleet::sm
