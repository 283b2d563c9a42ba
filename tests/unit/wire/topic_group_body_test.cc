// ClientOp::kTopicGroup body (wire/topic_group_body.h): round trips of a claim and of acks, and
// refusal of every truncation, trailing bytes, an unknown outcome and out-of-bound lists.
#include "agent/wire/topic_group_body.h"

#include <gtest/gtest.h>

namespace pifleet::wire {
namespace {

TopicGroupBody Claim() {
  return {true, "chat", "workers", "pi-1-42-beef", 8, UINT64_MAX, 2000, 5, {"X", "Y"}, {}, ""};
}

TopicGroupBody Acks() {
  return {false,
          "chat",
          "workers",
          "pi-1-42-beef",
          0,
          0,
          0,
          0,
          {},
          {{7, 1, 0}, {9, 3, 1}, {1ull << 40, 2, 2}},
          "`./work` exited 3"};
}

TEST(TopicGroupBody, RoundTrip) {
  for (const TopicGroupBody& body : {Claim(), Acks()}) {
    TopicGroupBody got;
    ASSERT_TRUE(DecodeBody(EncodeBody(body), &got));
    EXPECT_EQ(got, body);
  }
}

TEST(TopicGroupBody, MalformedIsRefused) {
  TopicGroupBody got;
  for (const TopicGroupBody& body : {Claim(), Acks()}) {
    const std::string bytes = EncodeBody(body);
    for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeBody(bytes.substr(0, n), &got));
    EXPECT_FALSE(DecodeBody(bytes + "\x01", &got));
  }
  TopicGroupBody bad = Acks();
  bad.acks[1].outcome = 3;
  EXPECT_FALSE(DecodeBody(EncodeBody(bad), &got));
  bad = Acks();
  bad.acks.assign(kTopicGroupAcksWireMax + 1, {1, 1, 0});
  EXPECT_FALSE(DecodeBody(EncodeBody(bad), &got));
  bad = Claim();
  bad.types.assign(kTopicGroupTypesWireMax + 1, "T");
  EXPECT_FALSE(DecodeBody(EncodeBody(bad), &got));
  bad = Claim();
  bad.member.assign(2000, 'm');
  EXPECT_FALSE(DecodeBody(EncodeBody(bad), &got));
}

}  // namespace
}  // namespace pifleet::wire
