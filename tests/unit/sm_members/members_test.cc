#include "agent/sm/members.h"

#include <gtest/gtest.h>

#include "agent/sm/kv_op.h"
#include "agent/sm/state_machine.h"
#include "tests/unit/sm/sessions_helper.h"

namespace pifleet::sm {
namespace {

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
  const uint64_t before = table.Digest();
  const std::string good = EncodeUpsertMember(Sample(2));
  for (size_t length = 0; length < good.size(); ++length) {
    EXPECT_FALSE(table.Apply(2, good.substr(0, length))) << length;
  }
  EXPECT_FALSE(table.Apply(2, good + "x"));
  EXPECT_FALSE(table.Apply(2, EncodeUpsertMember(Sample(0))));  // node id 0 is nobody
  EXPECT_EQ(table.Digest(), before);
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
  EXPECT_EQ(other.Digest(), sm.Digest());  // same commands, same state
}

}  // namespace
}  // namespace pifleet::sm
