#include "agent/sm/kv.h"

#include <gtest/gtest.h>

namespace pifleet::sm {
namespace {

std::string Op(KvKind kind, std::string key, std::string value = "", std::string expected = "") {
  return EncodeKvOp(KvOp{kind, std::move(key), std::move(value), std::move(expected)});
}

// The store's whole state as its snapshot bytes.
std::string Bytes(const KvStore& kv) {
  ByteWriter w;
  kv.EncodeTo(w);
  return w.out;
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
  EXPECT_EQ(kv.Apply(1, 1, Op(KvKind::kGet, "a")), (KvResult{true, ""}));
  EXPECT_TRUE(kv.Apply(1, 2, Op(KvKind::kPut, "a", "x")).ok);
  EXPECT_EQ(kv.Apply(1, 3, Op(KvKind::kGet, "a")).output, "x");
  EXPECT_FALSE(kv.Apply(1, 4, Op(KvKind::kCas, "a", "y", "z")).ok);
  EXPECT_TRUE(kv.Apply(1, 5, Op(KvKind::kCas, "a", "y", "x")).ok);
  EXPECT_EQ(kv.Apply(1, 6, Op(KvKind::kGet, "a")).output, "y");
  EXPECT_TRUE(kv.Apply(1, 7, Op(KvKind::kDelete, "a")).ok);
  EXPECT_TRUE(kv.Apply(1, 8, Op(KvKind::kCas, "a", "z", "")).ok) << "\"\" expects absence";
  EXPECT_FALSE(kv.Apply(1, 9, "garbage").ok);
}

// Exactly once: a retried (client, sequence) is answered with the first result, not re-run.
TEST(KvStore, RetriedCommandAppliesOnce) {
  KvStore kv;
  const std::string cas = Op(KvKind::kCas, "a", "1", "");
  EXPECT_TRUE(kv.Apply(7, 1, cas).ok);
  const std::string before = Bytes(kv);
  EXPECT_TRUE(kv.Apply(7, 1, cas).ok) << "the first answer, although a re-run would fail";
  EXPECT_EQ(Bytes(kv), before);
  EXPECT_TRUE(kv.Apply(7, 2, Op(KvKind::kPut, "a", "2")).ok);
  EXPECT_FALSE(kv.Apply(7, 1, cas).ok) << "an older sequence is stale";
  EXPECT_EQ(kv.Apply(8, 1, Op(KvKind::kGet, "a")).output, "2");
}

TEST(SessionTable, BoundedWithLeastRecentlyUsedEviction) {
  SessionTable table;
  for (uint64_t client = 1; client <= kSessionsMax + 1; ++client) {
    table.Record(client, 1, KvResult{true, std::to_string(client)});
  }
  EXPECT_EQ(table.size(), kSessionsMax);
  KvResult cached;
  EXPECT_EQ(table.Check(1, 1, &cached), SessionTable::Verdict::kNew) << "client 1 was evicted";
  EXPECT_EQ(table.Check(2, 1, &cached), SessionTable::Verdict::kDuplicate);
  EXPECT_EQ(cached.output, "2");
}

}  // namespace
}  // namespace pifleet::sm
