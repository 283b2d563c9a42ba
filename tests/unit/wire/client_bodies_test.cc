// The client protocol's msgpack bodies (docs/formats.md, "Client protocol"): round trips, the
// exact bytes another language's client sees, and refusal of malformed input.
#include "agent/wire/client_bodies.h"
#include "agent/wire/config_bodies.h"

#include <gtest/gtest.h>

namespace pifleet::wire {
namespace {

TEST(ClientBodies, RoundTrip) {
  const KvRequestBody request{3, "key", std::string(65536, 'v'), ""};
  KvRequestBody got_request;
  ASSERT_TRUE(DecodeBody(EncodeBody(request), &got_request));
  EXPECT_EQ(got_request, request);
  const KvReplyBody reply{false, true, "current", KvReplyBody::Outcome::kRefused};
  KvReplyBody got_reply;
  ASSERT_TRUE(DecodeBody(EncodeBody(reply), &got_reply));
  EXPECT_EQ(got_reply, reply);
  RegisterReplyBody got_register;
  ASSERT_TRUE(DecodeBody(EncodeBody(RegisterReplyBody{1ull << 40}), &got_register));
  EXPECT_EQ(got_register.session, 1ull << 40);
  MemberRow row;
  row.node_id = 7;
  row.name = "pi-7";
  row.last_heard_ms = -1;
  row.temperature_milli = -5000;
  row.throttled_bits = 0x50005;
  const MembersBody members{7, 9, {row, MemberRow{}}};
  MembersBody got_members;
  ASSERT_TRUE(DecodeBody(EncodeBody(members), &got_members));
  EXPECT_EQ(got_members, members);
  EXPECT_FALSE(got_members.IsLeadersView());
  EXPECT_EQ(got_members.Find(7)->name, "pi-7");
}

// The bytes as docs/formats.md describes them: a kv reply is [ok, found, value bin, outcome].
TEST(ClientBodies, KvReplyBytesAreTheDocumentedArray) {
  const std::string bytes =
      EncodeBody(KvReplyBody{true, true, "ab", KvReplyBody::Outcome::kDuplicate});
  EXPECT_EQ(bytes, std::string("\x94\xc3\xc3\xc4\x02"
                               "ab\x01",
                               8));
  EXPECT_EQ(EncodeBody(RegisterReplyBody{5}), std::string("\x91\x05", 2));
}

TEST(ClientBodies, MalformedIsRefused) {
  KvRequestBody request;
  EXPECT_FALSE(DecodeBody("", &request));
  EXPECT_FALSE(DecodeBody(std::string("\x94\x06\xc4\x00\xc4\x00\xc4\x00", 8), &request))
      << "kind 6 does not exist";
  EXPECT_FALSE(DecodeBody(std::string("\x93\x01\xc4\x00\xc4\x00", 6), &request)) << "3 fields";
  const std::string good = EncodeBody(KvRequestBody{1, "k", "v", ""});
  EXPECT_TRUE(DecodeBody(good, &request));
  EXPECT_FALSE(DecodeBody(good + "x", &request)) << "trailing bytes";
  for (size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(DecodeBody(good.substr(0, n), &request));
  KvReplyBody reply;
  EXPECT_FALSE(DecodeBody(std::string("\x94\xc3\xc3\xc4\x00\x03", 6), &reply)) << "outcome 3";
  MembersBody members;
  EXPECT_FALSE(DecodeBody(std::string("\x93\x01\x01\xdd\xff\xff\xff\xff", 8), &members))
      << "a huge count";
}

TEST(ClientBodies, TxnRoundTripsAndIsBounded) {
  TxnRequestBody txn;
  txn.compares.push_back({"k", KvCompareBody::kMod, KvCompareBody::kLess, 7, ""});
  txn.compares.push_back({"k", KvCompareBody::kValue, KvCompareBody::kEqual, 0, "v"});
  txn.then_ops.push_back({TxnOpBody::kPut, "k", "", "v2", 0, 3});
  txn.else_ops.push_back({TxnOpBody::kRange, "a/", "a0", "", 10, 0});
  TxnRequestBody got;
  const std::string bytes = EncodeBody(txn);
  ASSERT_TRUE(DecodeBody(bytes, &got));
  EXPECT_EQ(got, txn);
  EXPECT_EQ(KvRequestKind(bytes), kKvTxnKind);
  EXPECT_EQ(KvRequestKind(EncodeBody(KvRequestBody{1, "k", "v", ""})), 1);
  KvRequestBody plain;
  EXPECT_FALSE(DecodeBody(bytes, &plain)) << "a txn is not a plain kv body";
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeBody(bytes.substr(0, n), &got));
  TxnRequestBody too_many = txn;
  too_many.then_ops.assign(kTxnOpsMax + 1, TxnOpBody{});
  EXPECT_FALSE(DecodeBody(EncodeBody(too_many), &got)) << "ops over the bound";
  TxnRequestBody long_key = txn;
  long_key.compares[0].key.assign(kKvKeyBytesMax + 1, 'k');
  EXPECT_FALSE(DecodeBody(EncodeBody(long_key), &got)) << "a key over the bound";
  TxnRequestBody bad_op = txn;
  bad_op.then_ops[0].kind = 4;
  EXPECT_FALSE(DecodeBody(EncodeBody(bad_op), &got)) << "op kind 4";

  TxnReplyBody reply{
      9, true, {{TxnOpBody::kDelete, 2, false, {}}, {TxnOpBody::kRange, 0, true, {}}}};
  reply.responses[1].rows.push_back({"a/1", "x", 3, 8, 2, 0});
  TxnReplyBody got_reply;
  ASSERT_TRUE(DecodeBody(EncodeBody(reply), &got_reply));
  EXPECT_EQ(got_reply, reply);
  reply.responses[1].rows.assign(kRangeRowsMax, KvRow{});
  ASSERT_TRUE(DecodeBody(EncodeBody(reply), &got_reply)) << "a full page of rows decodes";
  reply.responses[1].rows.push_back(KvRow{});
  EXPECT_FALSE(DecodeBody(EncodeBody(reply), &got_reply)) << "rows over the bound";
}

}  // namespace
TEST(ClientBodies, ConfigBodiesRoundTripAndAreBounded) {
  const ConfigSetBody set{"voters", "5", false};
  ConfigSetBody got_set;
  const std::string bytes = EncodeBody(set);
  ASSERT_TRUE(DecodeBody(bytes, &got_set));
  EXPECT_EQ(got_set, set);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeBody(bytes.substr(0, n), &got_set));
  EXPECT_FALSE(DecodeBody(
      EncodeBody(ConfigSetBody{std::string(kSettingNameBytesMax + 1, 'n'), "1", false}), &got_set))
      << "a name over its bound";
  EXPECT_FALSE(DecodeBody(
      EncodeBody(ConfigSetBody{"voters", std::string(kSettingValueBytesMax + 1, '1'), false}),
      &got_set))
      << "a value over its bound";

  ConfigListBody list;
  list.rows.push_back({"voters", "3", false, 0, "1, 3, 5 or 7"});
  list.rows.push_back({"log_level", "debug", true, 12, "error, warning, notice, info or debug"});
  ConfigListBody got_list;
  ASSERT_TRUE(DecodeBody(EncodeBody(list), &got_list));
  EXPECT_EQ(got_list, list);
  list.rows.assign(kSettingRowsMax + 1, ConfigRow{});
  EXPECT_FALSE(DecodeBody(EncodeBody(list), &got_list)) << "rows over the bound";
}

}  // namespace pifleet::wire
