// Revisions and transactions against a model of etcd's semantics: random commands (the four
// plain kinds and transactions with compares, puts, ranges and deletes, single keys and
// prefixes) applied to the store and to a std::map written for clarity, every result and the
// final state compared; then the rules one by one.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "agent/sm/kv.h"
#include "agent/sm/kv_txn.h"
#include "agent/sm/state_machine.h"
#include "tests/unit/sm/sessions_helper.h"

namespace pifleet::sm {
namespace {

using wire::KvCompareBody;
using wire::KvRow;
using wire::TxnOpBody;
using wire::TxnReplyBody;
using wire::TxnRequestBody;

// The model: etcd's rules as plainly as they can be written.
struct Model {
  std::map<std::string, KvRow> keys;
  uint64_t revision = 0;

  static bool Matches(const TxnOpBody& op, const std::string& key, const std::string& prefix) {
    if (op.range_end.empty()) return key == op.key;
    if (op.range_end == std::string(1, '\0')) return key >= op.key;
    return key.compare(0, prefix.size(), prefix) == 0;  // the generator's ranges are prefixes
  }
  bool Holds(const KvCompareBody& c) const {
    auto it = keys.find(c.key);
    if (c.target == KvCompareBody::kValue && it == keys.end()) return false;
    const KvRow row = it == keys.end() ? KvRow{} : it->second;
    int order = 0;
    if (c.target == KvCompareBody::kValue) {
      order = row.value < c.value ? -1 : row.value == c.value ? 0 : 1;
    } else {
      const uint64_t v = c.target == KvCompareBody::kVersion  ? row.version
                         : c.target == KvCompareBody::kCreate ? row.create_revision
                                                              : row.mod_revision;
      order = v < c.number ? -1 : v == c.number ? 0 : 1;
    }
    if (c.op == KvCompareBody::kEqual) return order == 0;
    if (c.op == KvCompareBody::kNotEqual) return order != 0;
    return c.op == KvCompareBody::kLess ? order < 0 : order > 0;
  }
  void Put(const std::string& key, const std::string& value, uint64_t at) {
    KvRow& row = keys[key];
    if (row.version == 0) row.create_revision = at;
    row.key = key;
    row.value = value;
    row.mod_revision = at;
    row.version += 1;
  }
  TxnReplyBody Txn(const TxnRequestBody& txn, const std::vector<std::string>& prefixes) {
    TxnReplyBody reply;
    reply.succeeded = true;
    for (const auto& c : txn.compares) reply.succeeded = reply.succeeded && Holds(c);
    const auto& ops = reply.succeeded ? txn.then_ops : txn.else_ops;
    bool changed = false;
    for (size_t i = 0; i < ops.size(); ++i) {
      const TxnOpBody& op = ops[i];
      const std::string& prefix = prefixes[(reply.succeeded ? 0 : 16) + i];
      wire::TxnResponseBody r;
      r.kind = op.kind;
      if (op.kind == TxnOpBody::kPut) {
        Put(op.key, op.value, revision + 1);
        changed = true;
      }
      for (auto it = keys.begin(); it != keys.end();) {
        if (op.kind == TxnOpBody::kPut || !Matches(op, it->first, prefix)) {
          ++it;
        } else if (op.kind == TxnOpBody::kDelete) {
          it = keys.erase(it);
          ++r.deleted;
          changed = true;
        } else if (op.limit != 0 && r.rows.size() == op.limit) {
          r.more = true;
          break;
        } else {
          r.rows.push_back(it++->second);
        }
      }
      reply.responses.push_back(r);
    }
    if (changed) ++revision;
    reply.revision = revision;
    return reply;
  }
};

const std::vector<std::string> kKeys = {"a", "ab", "abc", "b", "ba", std::string("a\xff", 2), ""};

struct Generator {
  std::mt19937_64 rng;
  std::string Key() { return kKeys[rng() % kKeys.size()]; }
  TxnOpBody Op(std::string* prefix) {
    TxnOpBody op;
    op.kind = static_cast<uint8_t>(1 + rng() % 3);
    op.key = Key();
    op.value = "v" + std::to_string(rng() % 4);
    op.limit = rng() % 3;
    if (op.kind != TxnOpBody::kPut) {
      const int shape = static_cast<int>(rng() % 3);  // one key, a prefix, every key from key on
      if (shape == 1) {
        *prefix = op.key.substr(0, rng() % 3);
        op.key = *prefix;
        op.range_end = PrefixEnd(*prefix);
      } else if (shape == 2) {
        op.range_end = std::string(1, '\0');
      }
    }
    return op;
  }
  TxnRequestBody Txn(std::vector<std::string>* prefixes) {
    TxnRequestBody txn;
    prefixes->assign(32, "");
    for (uint64_t n = rng() % 3; n > 0; --n) {
      KvCompareBody c;
      c.key = Key();
      c.target = static_cast<uint8_t>(rng() % 4);
      c.op = static_cast<uint8_t>(rng() % 4);
      c.number = rng() % 6;
      c.value = "v" + std::to_string(rng() % 4);
      txn.compares.push_back(c);
    }
    for (uint64_t n = rng() % 4; n > 0; --n)
      txn.then_ops.push_back(Op(&(*prefixes)[txn.then_ops.size()]));
    for (uint64_t n = rng() % 3; n > 0; --n)
      txn.else_ops.push_back(Op(&(*prefixes)[16 + txn.else_ops.size()]));
    return txn;
  }
};

TEST(KvModel, RandomCommandsAgreeWithTheModel) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    Generator gen{std::mt19937_64(seed)};
    KvStore kv;
    Model model;
    for (int step = 0; step < 400; ++step) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step));
      if (gen.rng() % 4 == 0) {  // a plain put or delete: revisions move for them too
        const std::string key = gen.Key();
        if (gen.rng() % 2 == 0) {
          ASSERT_TRUE(kv.Apply(EncodeKvOp({KvKind::kPut, key, "p", ""})).ok);
          model.Put(key, "p", model.revision + 1);
          ++model.revision;
        } else {
          ASSERT_TRUE(kv.Apply(EncodeKvOp({KvKind::kDelete, key, "", ""})).ok);
          if (model.keys.erase(key) > 0) ++model.revision;
        }
        continue;
      }
      std::vector<std::string> prefixes;
      const TxnRequestBody txn = gen.Txn(&prefixes);
      const KvResult result = kv.Apply(EncodeKvTxn(txn));
      if (!CheckKvTxn(txn).empty()) {
        EXPECT_FALSE(result.ok);
        continue;
      }
      ASSERT_TRUE(result.ok) << result.output;
      TxnReplyBody got;
      ASSERT_TRUE(wire::DecodeBody(result.output, &got));
      EXPECT_EQ(got, model.Txn(txn, prefixes));
      ASSERT_EQ(kv.revision(), model.revision);
    }
    bool more = false;
    KvStore::Budget budget;
    const std::vector<KvRow> all = kv.Range("", std::string(1, '\0'), 0, &budget, &more);
    ASSERT_EQ(all.size(), model.keys.size());
    for (const KvRow& row : all) EXPECT_EQ(row, model.keys.at(row.key));
  }
}

TxnRequestBody Then(std::vector<TxnOpBody> ops, std::vector<KvCompareBody> compares = {}) {
  return TxnRequestBody{std::move(compares), std::move(ops), {}};
}

TxnReplyBody RunTxn(KvStore& kv, const TxnRequestBody& txn) {
  const KvResult result = kv.Apply(EncodeKvTxn(txn));
  EXPECT_TRUE(result.ok) << result.output;
  TxnReplyBody reply;
  EXPECT_TRUE(wire::DecodeBody(result.output, &reply));
  return reply;
}

TEST(KvRevisions, OneRevisionPerMutationAndDeleteRestartsTheVersion) {
  KvStore kv;
  EXPECT_EQ(RunTxn(kv, Then({{TxnOpBody::kPut, "k", "", "1", 0, 0}})).revision, 1u);
  EXPECT_EQ(RunTxn(kv, Then({{TxnOpBody::kPut, "k", "", "2", 0, 0}})).revision, 2u);
  EXPECT_EQ(*kv.FindRow("k"), (KvRow{"k", "2", 1, 2, 2, 0}));
  // Reads and deletes of nothing leave the revision alone.
  EXPECT_EQ(RunTxn(kv, Then({{TxnOpBody::kRange, "k", "", "", 0, 0}})).revision, 2u);
  EXPECT_EQ(RunTxn(kv, Then({{TxnOpBody::kDelete, "x", "", "", 0, 0}})).revision, 2u);
  EXPECT_EQ(RunTxn(kv, Then({{TxnOpBody::kDelete, "k", "", "", 0, 0}})).responses[0].deleted, 1u);
  EXPECT_EQ(kv.revision(), 3u);
  ASSERT_EQ(kv.last_events().size(), 1u);
  EXPECT_EQ(kv.last_events()[0].type, KvEvent::Type::kDelete);
  EXPECT_EQ(kv.last_events()[0].row.mod_revision, 3u);
  RunTxn(kv, Then({{TxnOpBody::kPut, "k", "", "3", 0, 0}}));
  EXPECT_EQ(*kv.FindRow("k"), (KvRow{"k", "3", 4, 4, 1, 0})) << "a new life: version 1";
  // Two puts in one transaction share one revision.
  const TxnReplyBody two = RunTxn(
      kv, Then({{TxnOpBody::kPut, "x", "", "", 0, 0}, {TxnOpBody::kPut, "y", "", "", 0, 0}}));
  EXPECT_EQ(two.revision, 5u);
  EXPECT_EQ(kv.FindRow("x")->mod_revision, kv.FindRow("y")->mod_revision);
  EXPECT_EQ(kv.last_events().size(), 2u);
}

TEST(KvTxn, CompareAndSwapThatLosesARaceFailsCleanly) {
  KvStore kv;
  RunTxn(kv, Then({{TxnOpBody::kPut, "lock", "", "a", 0, 0}}));
  const uint64_t seen = kv.FindRow("lock")->mod_revision;
  const KvCompareBody unchanged{"lock", KvCompareBody::kMod, KvCompareBody::kEqual, seen, ""};
  // Two clients read mod=seen; the first swap wins, the second finds the compare false.
  EXPECT_TRUE(RunTxn(kv, Then({{TxnOpBody::kPut, "lock", "", "b", 0, 0}}, {unchanged})).succeeded);
  TxnRequestBody loser = Then({{TxnOpBody::kPut, "lock", "", "c", 0, 0}}, {unchanged});
  loser.else_ops.push_back({TxnOpBody::kRange, "lock", "", "", 0, 0});
  const TxnReplyBody lost = RunTxn(kv, loser);
  EXPECT_FALSE(lost.succeeded);
  ASSERT_EQ(lost.responses.size(), 1u);
  EXPECT_EQ(lost.responses[0].rows[0].value, "b") << "the else branch reads the winner's value";
  EXPECT_EQ(kv.Read("lock"), "b");
  EXPECT_EQ(lost.revision, 2u) << "a failed compare with a read-only else changes nothing";
  // Create-if-absent: version = 0.
  const KvCompareBody absent{"new", KvCompareBody::kVersion, KvCompareBody::kEqual, 0, ""};
  EXPECT_TRUE(RunTxn(kv, Then({{TxnOpBody::kPut, "new", "", "1", 0, 0}}, {absent})).succeeded);
  EXPECT_FALSE(RunTxn(kv, Then({{TxnOpBody::kPut, "new", "", "2", 0, 0}}, {absent})).succeeded);
  // A value compare on an absent key fails whatever the operator.
  const KvCompareBody ne{"none", KvCompareBody::kValue, KvCompareBody::kNotEqual, 0, "x"};
  EXPECT_FALSE(RunTxn(kv, Then({}, {ne})).succeeded);
}

TEST(KvTxn, PrefixRangeLimitAndDelete) {
  KvStore kv;
  for (const char* key : {"a/1", "a/2", "a/3", "a0", "b"}) {
    RunTxn(kv, Then({{TxnOpBody::kPut, key, "", "v", 0, 0}}));
  }
  const TxnReplyBody two = RunTxn(kv, Then({{TxnOpBody::kRange, "a/", PrefixEnd("a/"), "", 2, 0}}));
  ASSERT_EQ(two.responses[0].rows.size(), 2u);
  EXPECT_EQ(two.responses[0].rows[1].key, "a/2");
  EXPECT_TRUE(two.responses[0].more);
  const TxnReplyBody del =
      RunTxn(kv, Then({{TxnOpBody::kDelete, "a/", PrefixEnd("a/"), "", 0, 0}}));
  EXPECT_EQ(del.responses[0].deleted, 3u);
  EXPECT_EQ(del.revision, 6u) << "one revision for the three deletes";
  EXPECT_EQ(kv.size(), 2u);
  EXPECT_EQ(PrefixEnd(std::string("a\xff\xff", 3)), "b");
  EXPECT_EQ(PrefixEnd(""), std::string(1, '\0'));
}

TEST(KvTxn, ReplyBoundsHoldForBigValues) {
  KvStore kv;
  const std::string big(kKvValueBytesMax, 'v');
  for (int i = 0; i < 5; ++i)
    kv.Apply(EncodeKvOp({KvKind::kPut, "k" + std::to_string(i), big, ""}));
  TxnRequestBody txn;
  for (int i = 0; i < 3; ++i)
    txn.then_ops.push_back({TxnOpBody::kRange, "k", PrefixEnd("k"), "", 0, 0});
  const KvResult result = kv.Apply(EncodeKvTxn(txn));
  ASSERT_TRUE(result.ok);
  EXPECT_LE(result.output.size(), wire::kRangeReplyBytesMax + 1024);
  TxnReplyBody reply;
  ASSERT_TRUE(wire::DecodeBody(result.output, &reply));
  EXPECT_EQ(reply.responses[0].rows.size(), 1u);
  EXPECT_TRUE(reply.responses[0].more);
  EXPECT_TRUE(reply.responses[2].rows.empty() && reply.responses[2].more);
}

TEST(KvTxn, RefusesDuplicatePutsUnknownLeasesAndGarbage) {
  KvStore kv;
  const TxnRequestBody dup =
      Then({{TxnOpBody::kPut, "k", "", "1", 0, 0}, {TxnOpBody::kPut, "k", "", "2", 0, 0}});
  EXPECT_FALSE(kv.Apply(EncodeKvTxn(dup)).ok);
  const TxnRequestBody covered =
      Then({{TxnOpBody::kPut, "a/1", "", "1", 0, 0}, {TxnOpBody::kDelete, "a/", "a0", "", 0, 0}});
  EXPECT_FALSE(kv.Apply(EncodeKvTxn(covered)).ok);
  EXPECT_FALSE(kv.Apply(EncodeKvTxn(Then({{TxnOpBody::kPut, "k", "", "1", 0, 9}}))).ok);
  EXPECT_EQ(kv.revision(), 0u);
  const std::string bytes = EncodeKvTxn(
      Then({{TxnOpBody::kRange, "k", "", "", 0, 0}}, {{"k", KvCompareBody::kMod, 0, 1, ""}}));
  ASSERT_TRUE(DecodeKvTxn(bytes));
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeKvTxn(bytes.substr(0, n))) << n;
  EXPECT_FALSE(DecodeKvTxn(bytes + "x"));
  TxnRequestBody many;
  many.then_ops.assign(wire::kTxnOpsMax + 1, TxnOpBody{});
  EXPECT_FALSE(DecodeKvTxn(EncodeKvTxn(many))) << "over the op bound";
}

TEST(KvSnapshot, RevisionsSurviveARestore) {
  StateMachine a;
  RegisterSessions(a, 1);
  a.Apply(2, 1, 1, EncodeKvTxn(Then({{TxnOpBody::kPut, "k", "", "1", 0, 0}})));
  a.Apply(3, 1, 2, EncodeKvTxn(Then({{TxnOpBody::kPut, "k", "", "2", 0, 0}})));
  StateMachine b;
  ASSERT_TRUE(b.Restore(a.Snapshot()));
  EXPECT_EQ(b.kv().revision(), 2u);
  EXPECT_EQ(*b.kv().FindRow("k"), *a.kv().FindRow("k"));
  EXPECT_EQ(b.Snapshot(), a.Snapshot());
  EXPECT_EQ(b.Apply(4, 1, 3, EncodeKvTxn(Then({{TxnOpBody::kPut, "k", "", "3", 0, 0}}))),
            a.Apply(4, 1, 3, EncodeKvTxn(Then({{TxnOpBody::kPut, "k", "", "3", 0, 0}}))));
}

}  // namespace
}  // namespace pifleet::sm
