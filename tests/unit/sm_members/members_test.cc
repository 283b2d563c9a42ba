#include "agent/sm/members.h"

#include <gtest/gtest.h>

#include "agent/base/bytes.h"
#include "agent/sm/constants.h"
#include "agent/sm/kv_op.h"
#include "agent/sm/state_machine.h"
#include "tests/unit/sm/sessions_helper.h"

namespace pifleet::sm {
namespace {

// The table's whole state as its snapshot bytes.
std::string Bytes(const MembersTable& table) {
  ByteWriter w;
  table.EncodeTo(w);
  return w.out;
}

Member Sample(uint64_t id) {
  Member m;
  m.node_id = id;
  m.name = "pi-" + std::to_string(id);
  m.address = "127.0.0.1:710" + std::to_string(id);
  m.role = "auto";
  m.version = "0.1.0";
  m.board = "Raspberry Pi 4 Model B Rev 1.4";
  m.serial = "10000000abcdef0" + std::to_string(id);
  m.capacity_milli = 4000;
  m.temperature_milli = -5500;
  m.throttled_bits = 0x50005;
  return m;
}

TEST(Members, UpsertReplacesAndRemoveDeletes) {
  MembersTable table;
  ASSERT_TRUE(table.Apply(3, EncodeUpsertMember(Sample(1))));
  Member changed = Sample(1);
  changed.address = "127.0.0.1:7999";
  ASSERT_TRUE(table.Apply(5, EncodeUpsertMember(changed)));
  ASSERT_TRUE(table.Apply(6, EncodeUpsertMember(Sample(2))));
  ASSERT_EQ(table.members().size(), 2u);
  Member expected = changed;
  expected.updated_slot = 5;
  EXPECT_EQ(*table.Find(1), expected);  // every field survives the encoding
  ASSERT_TRUE(table.Apply(7, EncodeRemoveMember(1)));
  EXPECT_FALSE(table.Find(1).has_value());
  EXPECT_EQ(table.members().size(), 1u);
}

TEST(Members, MalformedCommandsChangeNothing) {
  MembersTable table;
  ASSERT_TRUE(table.Apply(1, EncodeUpsertMember(Sample(1))));
  const std::string before = Bytes(table);
  const std::string good = EncodeUpsertMember(Sample(2));
  for (size_t length = 0; length < good.size(); ++length) {
    EXPECT_FALSE(table.Apply(2, good.substr(0, length))) << length;
  }
  EXPECT_FALSE(table.Apply(2, good + "x"));
  EXPECT_FALSE(table.Apply(2, EncodeUpsertMember(Sample(0))));  // node id 0 is nobody
  EXPECT_EQ(Bytes(table), before);
}

// Strings are stored whole up to kMemberStringBytesMax (2 of pifleet clipped them at 255 and
// wrote their length in one byte, so a 256-byte name made every replica refuse the upsert).
TEST(Members, EveryStringAtItsBoundIsStoredWhole) {
  Member m = Sample(1);
  for (std::string* s : {&m.name, &m.address, &m.role, &m.version, &m.board, &m.serial}) {
    *s = std::string(kMemberStringBytesMax, 'x');
  }
  const std::string upsert = EncodeUpsertMember(m);
  EXPECT_EQ(upsert.size(), kMemberUpsertBytesMax);
  EXPECT_LE(upsert.size(), core::kCommandBytesMax);  // it fits one command
  MembersTable table;
  ASSERT_TRUE(table.Apply(2, upsert));
  m.updated_slot = 2;
  EXPECT_EQ(*table.Find(1), m);
  // And through a snapshot, byte for byte.
  StateMachine sm, restored;
  RegisterSessions(sm, 1);
  ASSERT_TRUE(sm.Apply(2, 1, 1, upsert).ok);
  ASSERT_TRUE(restored.Restore(sm.Snapshot()));
  EXPECT_EQ(*restored.members().Find(1), m);
  EXPECT_EQ(restored.Snapshot(), sm.Snapshot());
}

// One byte over the bound, in any string, is refused the same way on every replica: false,
// the table unchanged, and the same state hash everywhere (the session remembers the refusal).
TEST(Members, AStringOverItsBoundIsRefusedOnEveryReplica) {
  for (int field = 0; field < 6; ++field) {
    Member m = Sample(3);
    std::string* strings[] = {&m.name, &m.address, &m.role, &m.version, &m.board, &m.serial};
    *strings[field] = std::string(kMemberStringBytesMax + 1, 'y');
    StateMachine a, b;
    RegisterSessions(a, 1);
    RegisterSessions(b, 1);
    ASSERT_TRUE(a.Apply(1, 1, 1, EncodeUpsertMember(Sample(1))).ok);
    ASSERT_TRUE(b.Apply(1, 1, 1, EncodeUpsertMember(Sample(1))).ok);
    const KvResult refused = a.Apply(2, 1, 2, EncodeUpsertMember(m));
    EXPECT_FALSE(refused.ok) << field;
    EXPECT_EQ(refused.outcome, KvResult::Outcome::kApplied)
        << "refused by the bound, not the session";
    EXPECT_FALSE(b.Apply(2, 1, 2, EncodeUpsertMember(m)).ok) << field;
    EXPECT_EQ(a.StateHash(), b.StateHash()) << field;
    EXPECT_EQ(a.members().members().size(), 1u) << field;
    EXPECT_FALSE(a.members().Find(3).has_value());
  }
  // The name of 256 bytes that used to fail silently is refused, whole or not at all.
  Member long_name = Sample(4);
  long_name.name = std::string(256, 'n');
  MembersTable table;
  EXPECT_FALSE(table.Apply(1, EncodeUpsertMember(long_name)));
  EXPECT_TRUE(table.members().empty());
}

TEST(StateMachine, DispatchesMembersAndKvByFirstByte) {
  StateMachine sm;
  RegisterSessions(sm, 7);
  EXPECT_TRUE(sm.Apply(1, 7, 1, EncodeUpsertMember(Sample(4))).ok);
  KvOp put{KvKind::kPut, "k", "v", ""};
  EXPECT_TRUE(sm.Apply(2, 7, 2, EncodeKvOp(put)).ok);
  EXPECT_EQ(sm.kv().Read("k"), "v");
  EXPECT_EQ(sm.members().members().size(), 1u);
  StateMachine other;
  RegisterSessions(other, 7);
  other.Apply(1, 7, 1, EncodeUpsertMember(Sample(4)));
  other.Apply(2, 7, 2, EncodeKvOp(put));
  EXPECT_EQ(other.StateHash(), sm.StateHash());  // same commands, same state
}

// The table as snapshot bytes (members, then removed ids): equal bytes, equal table.
std::string TableBytes(const MembersTable& table) {
  ByteWriter w;
  table.EncodeTo(w);
  table.EncodeRemovedTo(w);
  return std::move(w.out);
}

// Issue 13, membership that sticks: `pifleet leave` is kept in the replicated state, so a node
// removed while it was down cannot come back through its own upsert (every replica refuses it
// alike), and every replica knows it was removed.
TEST(Members, RemovedNodeStaysRemoved) {
  MembersTable table;
  ASSERT_TRUE(table.Apply(1, EncodeUpsertMember(Sample(1))));
  ASSERT_TRUE(table.Apply(2, EncodeUpsertMember(Sample(2))));
  EXPECT_FALSE(table.WasRemoved(2));
  ASSERT_TRUE(table.Apply(3, EncodeRemoveMember(2)));
  EXPECT_TRUE(table.WasRemoved(2));
  const std::string digest = TableBytes(table);
  EXPECT_FALSE(table.Apply(4, EncodeUpsertMember(Sample(2)))) << "a removed node came back";
  EXPECT_FALSE(table.Find(2).has_value());
  EXPECT_EQ(TableBytes(table), digest);
  EXPECT_TRUE(table.Apply(5, EncodeRemoveMember(2)));  // a second leave changes nothing
  EXPECT_EQ(TableBytes(table), digest);
  EXPECT_TRUE(table.Apply(6, EncodeRemoveMember(9)));  // a node that never upserted: remembered
  EXPECT_TRUE(table.WasRemoved(9));
  EXPECT_NE(TableBytes(table), digest);
  EXPECT_FALSE(table.Apply(7, EncodeRemoveMember(0)));
  EXPECT_TRUE(table.Apply(8, EncodeUpsertMember(Sample(1))));  // the others are untouched
}

TEST(StateMachine, SnapshotKeepsTheRemovedNodes) {
  StateMachine sm;
  RegisterSessions(sm, 1);
  ASSERT_TRUE(sm.Apply(1, 1, 1, EncodeUpsertMember(Sample(4))).ok);
  ASSERT_TRUE(sm.Apply(2, 1, 2, EncodeUpsertMember(Sample(5))).ok);
  ASSERT_TRUE(sm.Apply(3, 1, 3, EncodeRemoveMember(5)).ok);
  const std::string bytes = sm.Snapshot();
  StateMachine restored;
  ASSERT_TRUE(restored.Restore(bytes));
  EXPECT_TRUE(restored.members().WasRemoved(5));
  EXPECT_FALSE(restored.members().WasRemoved(4));
  EXPECT_EQ(restored.StateHash(), sm.StateHash());
  EXPECT_FALSE(restored.Apply(4, 1, 4, EncodeUpsertMember(Sample(5))).ok);
  // Earlier versions are refused, with or without the removed-nodes section.
  for (uint8_t version : {2, 3, 4}) {
    std::string old = bytes;
    old[4] = static_cast<char>(version);
    EXPECT_FALSE(StateMachine().Restore(old)) << int{version};
    EXPECT_FALSE(StateMachine().Restore(old.substr(0, old.size() - 16))) << int{version};
  }
  // A removed id that is also a member, or a short section, is refused. The job table follows.
  const size_t jobs_bytes = [&] {
    ByteWriter w;
    sm.jobs().EncodeTo(w);
    return w.out.size();
  }();
  std::string bad = bytes;
  bad.replace(bad.size() - jobs_bytes - 8, 8, std::string("\x04\0\0\0\0\0\0\0", 8));  // a member
  EXPECT_FALSE(StateMachine().Restore(bad));
  EXPECT_FALSE(StateMachine().Restore(bytes.substr(0, bytes.size() - 1)));
}

}  // namespace
}  // namespace pifleet::sm
