// Leases in the state machine: grant, keepalive, revoke, and the leader's expire command that
// ends only the leases not kept alive since the leader looked; keys attached to a lease go with
// it at one revision; the table is in the snapshot.
#include <gtest/gtest.h>

#include "agent/sm/kv_txn.h"
#include "agent/sm/leases.h"
#include "agent/sm/state_machine.h"
#include "tests/unit/sm/sessions_helper.h"

namespace pifleet::sm {
namespace {

using wire::TxnOpBody;

class LeaseTest : public ::testing::Test {
 protected:
  void SetUp() override { RegisterSessions(sm_, 1); }
  KvResult Run(const std::string& payload) { return sm_.Apply(++slot_, 1, ++sequence_, payload); }
  uint64_t Grant(uint64_t ttl_ms) {
    const KvResult result = Run(EncodeLeaseCommand({LeaseCommandKind::kGrant, ttl_ms, 0, {}}));
    EXPECT_TRUE(result.ok) << result.output;
    return std::stoull(result.output);
  }
  KvResult PutWithLease(const std::string& key, uint64_t lease) {
    return Run(EncodeKvTxn({{}, {{TxnOpBody::kPut, key, "", "v", 0, lease}}, {}}));
  }
  StateMachine sm_;
  uint64_t slot_ = 10;
  uint64_t sequence_ = 0;
};

TEST_F(LeaseTest, RevokeDeletesItsKeysAtOneRevision) {
  const uint64_t lease = Grant(5000);
  EXPECT_TRUE(PutWithLease("lock/a", lease).ok);
  EXPECT_TRUE(PutWithLease("lock/b", lease).ok);
  EXPECT_TRUE(PutWithLease("other", 0).ok);
  EXPECT_FALSE(PutWithLease("x", lease + 100).ok) << "an unknown lease is refused";
  const uint64_t before = sm_.kv().revision();
  const KvResult revoked = Run(EncodeLeaseCommand({LeaseCommandKind::kRevoke, 0, lease, {}}));
  ASSERT_TRUE(revoked.ok);
  EXPECT_EQ(revoked.output, std::to_string(before + 1) + " 2");
  EXPECT_EQ(sm_.kv().size(), 1u);
  EXPECT_EQ(sm_.kv().last_events().size(), 2u);
  EXPECT_FALSE(Run(EncodeLeaseCommand({LeaseCommandKind::kRevoke, 0, lease, {}})).ok);
  EXPECT_FALSE(PutWithLease("late", lease).ok) << "a revoked lease takes no keys";
}

TEST_F(LeaseTest, ExpiryEndsOnlyLeasesNotKeptAliveSinceTheLeaderLooked) {
  const uint64_t quiet = Grant(2000);
  const uint64_t busy = Grant(2000);
  PutWithLease("q", quiet);
  PutWithLease("b", busy);
  // The leader saw both at 0 keepalives; a keepalive of `busy` is applied before its expire.
  EXPECT_TRUE(Run(EncodeLeaseCommand({LeaseCommandKind::kKeepAlive, 0, busy, {}})).ok);
  const KvResult expired =
      Run(EncodeLeaseCommand({LeaseCommandKind::kExpire, 0, 0, {{quiet, 0}, {busy, 0}, {999, 0}}}));
  ASSERT_TRUE(expired.ok);
  EXPECT_EQ(expired.output, "1 1");
  EXPECT_EQ(sm_.leases().Find(quiet), nullptr);
  ASSERT_NE(sm_.leases().Find(busy), nullptr);
  EXPECT_FALSE(sm_.kv().Find("q"));
  EXPECT_TRUE(sm_.kv().Find("b"));
}

TEST_F(LeaseTest, BoundsCommandsAndSnapshot) {
  EXPECT_FALSE(Run(EncodeLeaseCommand({LeaseCommandKind::kGrant, 10, 0, {}})).ok) << "TTL < 1 s";
  const uint64_t lease = Grant(3000);
  PutWithLease("k", lease);
  StateMachine restored;
  ASSERT_TRUE(restored.Restore(sm_.Snapshot()));
  EXPECT_EQ(restored.Snapshot(), sm_.Snapshot());
  ASSERT_NE(restored.leases().Find(lease), nullptr);
  EXPECT_EQ(restored.kv().FindRow("k")->lease, lease);
  const LeaseCommand expire{LeaseCommandKind::kExpire, 0, 0, {{1, 2}, {3, 4}}};
  const std::string bytes = EncodeLeaseCommand(expire);
  EXPECT_EQ(DecodeLeaseCommand(bytes), expire);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeLeaseCommand(bytes.substr(0, n)));
  EXPECT_FALSE(DecodeLeaseCommand(bytes + "x"));
}

}  // namespace
}  // namespace pifleet::sm
