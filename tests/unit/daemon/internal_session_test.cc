// The agent's own commands in a session of their own: registration first, one command at a time,
// resent after a while, and a new session (with the command again) when the old one is refused.
#include "agent/daemon/internal_session.h"

#include <gtest/gtest.h>

#include "agent/sm/session_commands.h"

namespace pifleet::daemon {
namespace {

sm::KvResult Registered(uint64_t session) {
  sm::KvResult result;
  result.session = session;
  return result;
}

TEST(InternalSession, RegistersThenSendsOneCommandAtATime) {
  InternalSession s(777);
  EXPECT_FALSE(s.Due(0, 1000)) << "nothing queued: no registration either";
  s.Enqueue("a");
  s.Enqueue("b");
  auto reg = s.Due(1, 1000);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->client_id, 777u);
  EXPECT_TRUE(sm::IsSessionCommand(reg->payload));
  EXPECT_FALSE(s.Due(2, 1000)) << "the registration is outstanding";
  s.OnApplied(*reg, Registered(5));
  EXPECT_EQ(s.session(), 5u);
  auto a = s.Due(3, 1000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->client_id, 5u);
  EXPECT_EQ(a->sequence, 1u);
  EXPECT_EQ(a->payload, "a");
  EXPECT_FALSE(s.Due(4, 1000)) << "one outstanding at a time";
  auto resent = s.Due(3 + kInternalResendTicks, 1000);
  ASSERT_TRUE(resent) << "resent when no result came";
  EXPECT_EQ(resent->sequence, 1u) << "the same sequence: applied at most once";
  s.OnApplied(*a, sm::KvResult{});
  auto b = s.Due(600, 1000);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->sequence, 2u);
  EXPECT_EQ(b->payload, "b");
}

TEST(InternalSession, RefusedSessionRegistersAgainAndResendsTheHead) {
  InternalSession s(9);
  s.Enqueue("row");
  auto reg = s.Due(0, 1);
  s.OnApplied(*reg, Registered(3));
  auto row = s.Due(1, 1);
  sm::KvResult refused{false, "unknown or expired session", false, sm::KvResult::Outcome::kRefused};
  s.OnApplied(*row, refused);
  EXPECT_EQ(s.session(), 0u);
  auto again = s.Due(2, 1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->client_id, 9u) << "a new registration";
  s.OnApplied(*again, Registered(11));
  auto retry = s.Due(3, 1);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->client_id, 11u);
  EXPECT_EQ(retry->payload, "row");
  EXPECT_EQ(s.queued(), 1u);
}

TEST(InternalSession, QueueIsBounded) {
  InternalSession s(1);
  for (size_t i = 0; i < kInternalQueueMax; ++i) EXPECT_TRUE(s.Enqueue(std::to_string(i)));
  EXPECT_FALSE(s.Enqueue("one more"));
  EXPECT_EQ(s.queued(), kInternalQueueMax);
}

}  // namespace
}  // namespace pifleet::daemon
