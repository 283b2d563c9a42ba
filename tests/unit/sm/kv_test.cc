#include "agent/sm/kv.h"
#include "agent/sm/session_commands.h"
#include "agent/sm/state_machine.h"

#include <gtest/gtest.h>

namespace pifleet::sm {
namespace {

std::string Op(KvKind kind, std::string key, std::string value = "", std::string expected = "") {
  return EncodeKvOp(KvOp{kind, std::move(key), std::move(value), std::move(expected)});
}

TEST(KvOp, RoundTripsAndRejectsGarbage) {
  const KvOp op{KvKind::kCas, "key", "new", "old"};
  EXPECT_EQ(DecodeKvOp(EncodeKvOp(op)), op);
  EXPECT_FALSE(DecodeKvOp(""));
  EXPECT_FALSE(DecodeKvOp(std::string(1, '\x09')));
  const std::string bytes = EncodeKvOp(op);
  for (size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_FALSE(DecodeKvOp(bytes.substr(0, length))) << length;
  }
  EXPECT_FALSE(DecodeKvOp(bytes + "x"));
  // A length that claims more than the input holds is refused, not read past.
  std::string huge = bytes;
  huge[1] = '\xff';
  EXPECT_FALSE(DecodeKvOp(huge));
}

TEST(KvStore, PutGetCasDelete) {
  KvStore kv;
  EXPECT_EQ(kv.Apply(Op(KvKind::kGet, "a")), (KvResult{true, "", false}));
  EXPECT_TRUE(kv.Apply(Op(KvKind::kPut, "a", "x")).ok);
  EXPECT_EQ(kv.Apply(Op(KvKind::kGet, "a")), (KvResult{true, "x", true}));
  EXPECT_FALSE(kv.Apply(Op(KvKind::kCas, "a", "y", "z")).ok);
  EXPECT_TRUE(kv.Apply(Op(KvKind::kCas, "a", "y", "x")).ok);
  EXPECT_EQ(kv.Apply(Op(KvKind::kGet, "a")).output, "y");
  EXPECT_TRUE(kv.Apply(Op(KvKind::kDelete, "a")).ok);
  EXPECT_TRUE(kv.Apply(Op(KvKind::kCas, "a", "z", "")).ok) << "\"\" expects absence";
  EXPECT_FALSE(kv.Apply("garbage").ok);
}

// An empty value is told apart from an absent key.
TEST(KvStore, EmptyValueIsFoundAbsentKeyIsNot) {
  KvStore kv;
  kv.Apply(Op(KvKind::kPut, "empty", ""));
  EXPECT_EQ(kv.Apply(Op(KvKind::kGet, "empty")), (KvResult{true, "", true}));
  EXPECT_EQ(kv.Apply(Op(KvKind::kGet, "missing")), (KvResult{true, "", false}));
  EXPECT_EQ(kv.Find("empty"), std::optional<std::string>(""));
  EXPECT_EQ(kv.Find("missing"), std::nullopt);
}

std::string Register(uint64_t now_ms) {
  return EncodeSessionCommand({SessionCommandKind::kRegister, now_ms, 0});
}

std::string Expire(uint64_t now_ms, uint64_t idle_ms) {
  return EncodeSessionCommand({SessionCommandKind::kExpire, now_ms, idle_ms});
}

TEST(SessionCommands, RoundTripAndRejectGarbage) {
  const SessionCommand expire{SessionCommandKind::kExpire, 123, 456};
  EXPECT_EQ(DecodeSessionCommand(EncodeSessionCommand(expire)), expire);
  const SessionCommand reg{SessionCommandKind::kRegister, 9, 0};
  EXPECT_EQ(DecodeSessionCommand(EncodeSessionCommand(reg)), reg);
  std::string cut = EncodeSessionCommand(expire);
  cut.pop_back();
  EXPECT_FALSE(DecodeSessionCommand(cut));
  EXPECT_FALSE(DecodeSessionCommand(EncodeSessionCommand(reg) + "x"));
  EXPECT_FALSE(DecodeSessionCommand(Op(KvKind::kGet, "a")));
}

// §6.3: ids come from the state machine and are never reused, so a replayed registration
// makes a new session, never an old one.
TEST(Sessions, RegistrationHandsOutNewIdsEvenForTheSameCommand) {
  StateMachine sm;
  const KvResult first = sm.Apply(1, 0, 0, Register(1000));
  const KvResult replayed = sm.Apply(2, 0, 0, Register(1000));
  EXPECT_TRUE(first.ok);
  EXPECT_EQ(first.session, 1u);
  EXPECT_EQ(replayed.session, 2u);
}

// A retry of the last command gets the first result, not a re-run; older ones are refused.
TEST(Sessions, RetryAnsweredOnceStaleRefused) {
  StateMachine sm;
  const uint64_t s = sm.Apply(1, 0, 0, Register(1000)).session;
  const std::string cas = Op(KvKind::kCas, "a", "1", "");
  EXPECT_TRUE(sm.Apply(2, s, 1, cas).ok);
  const std::string before = sm.Snapshot();
  const KvResult retry = sm.Apply(3, s, 1, cas);
  EXPECT_TRUE(retry.ok) << "the first answer, although a re-run would fail";
  EXPECT_EQ(retry.outcome, KvResult::Outcome::kDuplicate);
  EXPECT_EQ(sm.Snapshot(), before) << "a retry changes nothing";
  EXPECT_TRUE(sm.Apply(4, s, 2, Op(KvKind::kPut, "a", "2")).ok);
  const KvResult stale = sm.Apply(5, s, 1, cas);
  EXPECT_FALSE(stale.ok);
  EXPECT_EQ(stale.outcome, KvResult::Outcome::kRefused);
  EXPECT_EQ(sm.Apply(6, s, 0, Op(KvKind::kPut, "a", "0")).outcome, KvResult::Outcome::kRefused)
      << "sequence 0 is never a command";
  EXPECT_EQ(sm.kv().Read("a"), "2");
}

TEST(Sessions, UnknownSessionIsRefusedNeverApplied) {
  StateMachine sm;
  const KvResult result = sm.Apply(1, 7, 1, Op(KvKind::kPut, "a", "x"));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.outcome, KvResult::Outcome::kRefused);
  EXPECT_EQ(sm.kv().size(), 0u);
  Member m;
  m.node_id = 5;
  EXPECT_EQ(sm.Apply(2, 0, 0, EncodeUpsertMember(m)).outcome, KvResult::Outcome::kRefused);
  EXPECT_FALSE(sm.members().Find(5).has_value()) << "members commands need a session too";
}

// Expiry follows the times carried in the log only: a session idle longer than idle_ms (by the
// log's clock) goes, and its old request replayed later is refused.
TEST(Sessions, ExpiryByLogTimeRefusesAnOldRequest) {
  StateMachine sm;
  const uint64_t idle = sm.Apply(1, 0, 0, Register(1'000)).session;
  const uint64_t busy = sm.Apply(2, 0, 0, Register(1'000)).session;
  const std::string put_old = Op(KvKind::kPut, "r", "old");
  EXPECT_TRUE(sm.Apply(3, idle, 1, put_old).ok);
  EXPECT_EQ(sm.Apply(4, 0, 0, Expire(50'000, 60'000)).output, "0") << "nobody idle 60 s yet";
  EXPECT_TRUE(sm.Apply(5, busy, 1, Op(KvKind::kPut, "r", "new")).ok);  // active at 50 s
  EXPECT_EQ(sm.Apply(6, 0, 0, Expire(70'000, 60'000)).output, "1");
  EXPECT_EQ(sm.sessions().size(), 1u);
  const KvResult replay = sm.Apply(7, idle, 1, put_old);
  EXPECT_EQ(replay.outcome, KvResult::Outcome::kRefused);
  EXPECT_EQ(sm.kv().Read("r"), "new") << "the replay did not roll the value back";
  EXPECT_TRUE(sm.Apply(8, busy, 2, Op(KvKind::kGet, "r")).ok);
  EXPECT_EQ(sm.sessions().log_time_ms(), 70'000u);
  sm.Apply(9, 0, 0, Expire(10, 60'000));
  EXPECT_EQ(sm.sessions().log_time_ms(), 70'000u) << "the log clock never goes back";
}

// Past kSessionsMax the least recently used session is evicted; its requests are refused
// from then on, and its id is never handed out again.
TEST(Sessions, EvictionIsLeastRecentlyUsedAndFinal) {
  StateMachine sm;
  const uint64_t first = sm.Apply(1, 0, 0, Register(1)).session;
  const std::string put_old = Op(KvKind::kPut, "r", "old");
  EXPECT_TRUE(sm.Apply(2, first, 1, put_old).ok);
  const uint64_t second = sm.Apply(3, 0, 0, Register(1)).session;
  EXPECT_TRUE(sm.Apply(4, second, 1, Op(KvKind::kPut, "x", "1")).ok);
  EXPECT_TRUE(sm.Apply(5, first, 2, Op(KvKind::kPut, "r", "new")).ok);  // first used last
  uint64_t last = 0;
  for (uint32_t i = 0; i < kSessionsMax - 1; ++i) last = sm.Apply(6, 0, 0, Register(1)).session;
  EXPECT_EQ(sm.sessions().size(), kSessionsMax);
  EXPECT_EQ(last, kSessionsMax + 1u);
  EXPECT_EQ(sm.Apply(7, second, 2, Op(KvKind::kPut, "x", "2")).outcome, KvResult::Outcome::kRefused)
      << "the least recently used session went";
  EXPECT_EQ(sm.Apply(8, first, 2, Op(KvKind::kPut, "r", "new")).outcome,
            KvResult::Outcome::kDuplicate);
  EXPECT_EQ(sm.Apply(9, first, 1, put_old).outcome, KvResult::Outcome::kRefused);
  EXPECT_EQ(sm.kv().Read("r"), "new");
}

// Sessions are state: a restored replica refuses and answers exactly as the original does.
TEST(Sessions, SnapshotCarriesSessionsByteForByte) {
  StateMachine a;
  const uint64_t s = a.Apply(1, 0, 0, Register(5'000)).session;
  a.Apply(2, s, 1, Op(KvKind::kPut, "k", ""));
  a.Apply(3, 0, 0, Register(6'000));
  StateMachine b;
  ASSERT_TRUE(b.Restore(a.Snapshot()));
  EXPECT_EQ(b.Snapshot(), a.Snapshot());
  EXPECT_EQ(b.Apply(4, s, 1, Op(KvKind::kPut, "k", "again")),
            a.Apply(4, s, 1, Op(KvKind::kPut, "k", "again")));
  EXPECT_EQ(b.Apply(5, 0, 0, Register(7'000)).session, 3u);
  EXPECT_EQ(a.Apply(5, 0, 0, Register(7'000)).session, 3u);
  EXPECT_EQ(b.Apply(6, 0, 0, Expire(20'000, 14'000)), a.Apply(6, 0, 0, Expire(20'000, 14'000)));
  EXPECT_EQ(b.sessions().size(), 2u) << "idle 15 s goes, idle 14 s stays";
  EXPECT_EQ(b.Snapshot(), a.Snapshot());
}

}  // namespace
}  // namespace pifleet::sm
