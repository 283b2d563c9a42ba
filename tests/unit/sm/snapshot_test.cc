// State-machine snapshots: identical bytes on every replica for the same commands, a restored
// replica that behaves exactly like the original (retries answered from the sessions, the same
// eviction), and refusal of damaged bytes without any change.
#include <gtest/gtest.h>

#include "agent/sm/state_machine.h"
#include "tests/unit/sm/sessions_helper.h"

namespace pifleet::sm {
namespace {

std::string Put(std::string key, std::string value) {
  return EncodeKvOp(KvOp{KvKind::kPut, std::move(key), std::move(value), ""});
}

void Feed(StateMachine& sm, uint64_t from, uint64_t to) {
  if (sm.sessions().size() == 0) RegisterSessions(sm, 8);
  for (uint64_t i = from; i < to; ++i) {
    sm.Apply(i, 1 + i % 7, i, Put("k" + std::to_string(i % 50), "v" + std::to_string(i)));
  }
  Member m;
  m.node_id = 42;
  m.name = "pi-" + std::to_string(to);
  m.address = "10.0.0.2:7946";
  m.temperature_milli = -5000;
  sm.Apply(to, 8, to, EncodeUpsertMember(m));
}

TEST(StateMachineSnapshot, SameCommandsGiveTheSameBytesAndHash) {
  StateMachine a, b;
  Feed(a, 1, 300);
  Feed(b, 1, 300);
  EXPECT_EQ(a.Snapshot(), b.Snapshot());
  EXPECT_EQ(a.StateHash(), b.StateHash());
  b.Apply(301, 3, 999, Put("k1", "other"));
  EXPECT_NE(a.StateHash(), b.StateHash());
}

TEST(StateMachineSnapshot, RestoredReplicaBehavesLikeTheOriginal) {
  StateMachine original;
  Feed(original, 1, 300);
  StateMachine restored;
  ASSERT_TRUE(restored.Restore(original.Snapshot()));
  EXPECT_EQ(restored.Snapshot(), original.Snapshot());
  EXPECT_EQ(restored.StateHash(), original.StateHash());
  ASSERT_TRUE(restored.members().Find(42).has_value());
  EXPECT_EQ(*restored.members().Find(42), *original.members().Find(42));
  // A retry of the last command of client 1 + 299 % 7 is answered from the session table.
  const uint64_t client = 1 + 299 % 7;
  EXPECT_EQ(restored.Apply(400, client, 299, Put("k", "retry")),
            original.Apply(400, client, 299, Put("k", "retry")));
  // Past the session bound both evict the same sessions.
  for (uint64_t c = 100; c < 100 + kSessionsMax + 10; ++c) {
    RegisterSessions(original, 1, 2000 + c);
    RegisterSessions(restored, 1, 2000 + c);
    original.Apply(500, c - 91, 1, Put("s", std::to_string(c)));
    restored.Apply(500, c - 91, 1, Put("s", std::to_string(c)));
  }
  EXPECT_EQ(restored.StateHash(), original.StateHash());
}

TEST(StateMachineSnapshot, DamagedBytesAreRefusedAndChangeNothing) {
  StateMachine source;
  Feed(source, 1, 40);
  const std::string bytes = source.Snapshot();
  StateMachine target;
  Feed(target, 1, 5);
  const uint64_t before = target.StateHash();
  for (size_t n = 0; n < bytes.size(); ++n) {
    ASSERT_FALSE(target.Restore(std::string_view(bytes).substr(0, n))) << n;
  }
  EXPECT_FALSE(target.Restore(bytes + "x")) << "trailing bytes";
  std::string huge = bytes;
  huge[5 + 8 + 7] = '\x7f';  // the key count's high byte (after the revision)
  EXPECT_FALSE(target.Restore(huge));
  EXPECT_EQ(target.StateHash(), before);
  EXPECT_TRUE(target.Restore(bytes));
  EXPECT_EQ(target.StateHash(), source.StateHash());
}

TEST(StateMachineSnapshot, HundredThousandKeysStayCompact) {
  StateMachine sm;
  RegisterSessions(sm, 1000);
  for (uint64_t i = 0; i < 100'000; ++i) {
    sm.Apply(i + 1, 1 + i % 1000, 1 + i / 1000,
             Put("key/" + std::to_string(i), std::string(16, static_cast<char>('a' + i % 26))));
  }
  const std::string bytes = sm.Snapshot();
  // Each key costs its 8-byte lengths, ~10 key bytes, 16 value bytes and four u64 (create and mod
  // revision, version, lease): about 74 bytes.
  EXPECT_LT(bytes.size(), 100'000u * 80 + 1000 * 64);
  std::printf("snapshot of 100000 keys (16-byte values, 1000 sessions): %zu bytes\n", bytes.size());
}

}  // namespace
}  // namespace pifleet::sm
