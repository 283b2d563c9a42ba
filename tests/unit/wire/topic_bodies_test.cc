// ClientOp::kTopic and kTopicRead bodies (wire/topic_bodies.h): round trips, and refusal of every
// truncation, trailing bytes, garbage and out-of-bound values (never a crash).
#include "agent/wire/topic_bodies.h"

#include <gtest/gtest.h>

namespace pifleet::wire {
namespace {

TEST(TopicBodies, RoundTrip) {
  TopicRequestBody publish{
      TopicRequestBody::kPublish, "chat", "msg", R"({"text":"hi"})", 0, 0, true, {}};
  TopicRequestBody got;
  ASSERT_TRUE(DecodeBody(EncodeBody(publish), &got));
  EXPECT_EQ(got, publish);
  TopicRequestBody define{TopicRequestBody::kDefineType, "", "reading", "", 0, 0, false,
                          {{"temp", 2}, {"where", 3}}};
  ASSERT_TRUE(DecodeBody(EncodeBody(define), &got));
  EXPECT_EQ(got, define);
  TopicRequestBody create{TopicRequestBody::kCreate, "t", "", "", 7, 1u << 20, false, {}};
  ASSERT_TRUE(DecodeBody(EncodeBody(create), &got));
  EXPECT_EQ(got, create);
  const TopicReadBody read{"chat", 1ull << 40, 25};
  TopicReadBody got_read;
  ASSERT_TRUE(DecodeBody(EncodeBody(read), &got_read));
  EXPECT_EQ(got_read, read);
}

TEST(TopicBodies, TruncatedTrailingAndGarbageAreRefused) {
  const std::string publish = EncodeBody(TopicRequestBody{
      TopicRequestBody::kPublish, "chat", "msg", "[1,2]", 0, 0, false, {{"a", 1}}});
  TopicRequestBody got;
  for (size_t n = 0; n < publish.size(); ++n)
    EXPECT_FALSE(DecodeBody(publish.substr(0, n), &got)) << n;
  EXPECT_FALSE(DecodeBody(publish + "\x01", &got));
  const std::string read = EncodeBody(TopicReadBody{"chat", 5, 0});
  TopicReadBody got_read;
  for (size_t n = 0; n < read.size(); ++n)
    EXPECT_FALSE(DecodeBody(read.substr(0, n), &got_read)) << n;
  for (int seed = 0; seed < 200; ++seed) {
    std::string garbage;
    for (int i = 0; i < seed % 40; ++i)
      garbage.push_back(static_cast<char>((seed * 131 + i * 17) & 0xff));
    DecodeBody(garbage, &got);  // must not crash; may by chance decode
    DecodeBody(garbage, &got_read);
  }
  // A kind outside 1..4, too many fields, a name over its bound.
  TopicRequestBody bad;
  bad.kind = 9;
  EXPECT_FALSE(DecodeBody(EncodeBody(bad), &got));
  bad.kind = TopicRequestBody::kDefineType;
  bad.fields.assign(kTopicFieldsMax + 1, {"f", 1});
  EXPECT_FALSE(DecodeBody(EncodeBody(bad), &got));
  bad.fields.clear();
  bad.topic.assign(kTopicNameWireBytesMax + 1, 'a');
  EXPECT_FALSE(DecodeBody(EncodeBody(bad), &got));
  EXPECT_FALSE(DecodeBody(
      EncodeBody(TopicReadBody{std::string(kTopicNameWireBytesMax + 1, 'a'), 0, 0}), &got_read));
}

}  // namespace
}  // namespace pifleet::wire
