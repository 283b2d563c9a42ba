// The job table: a deterministic, capacity-weighted split that shrinks toward the end, fenced
// attempts, retries, cancel, backup runs, snapshots, and every item committed exactly once under
// random claim/result/expiry interleavings checked against a model.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "agent/sm/job_split.h"
#include "agent/sm/jobs.h"
#include "agent/sm/state_machine.h"

namespace pifleet::sm {
namespace {

struct Assignment {
  uint64_t job = 0, start = 0, end = 0, attempt = 0;
};

std::optional<Assignment> Parse(const KvResult& r) {
  if (!r.ok || r.output.empty()) return std::nullopt;
  Assignment a;
  std::istringstream(r.output) >> a.job >> a.start >> a.end >> a.attempt;
  return a;
}

class Fleet {
 public:
  void SetCapacity(uint64_t node, uint64_t capacity_milli) {
    Member m;
    m.node_id = node;
    m.capacity_milli = capacity_milli;
    EXPECT_TRUE(members.Apply(1, EncodeUpsertMember(m)));
  }
  KvResult Do(JobCommand c) { return table.Apply(EncodeJobCommand(c), members); }
  KvResult Submit(const std::string& name, uint64_t first, uint64_t end, uint64_t chunk_min = 1,
                  uint32_t retries = 0, uint64_t timeout_s = 10) {
    JobCommand c = MakeJobCommand(JobKind::kSubmit, now_ms);
    c.spec.name = name;
    c.spec.first = first;
    c.spec.end = end;
    c.spec.chunk_min = chunk_min;
    c.spec.retries = retries;
    c.spec.timeout_s = timeout_s;
    c.spec.argv = {"/bin/true"};
    return Do(c);
  }
  std::optional<Assignment> Claim(uint64_t node) {
    return Parse(Do(MakeJobCommand(JobKind::kClaim, now_ms, node)));
  }
  void Beat(uint64_t node) { Do(MakeJobCommand(JobKind::kBeat, now_ms, node)); }
  KvResult Result(const std::string& name, uint64_t node, const Assignment& a, int64_t exit_code,
                  uint64_t duration_ms = 100) {
    JobCommand c = MakeJobCommand(JobKind::kResult, now_ms, node);
    c.name = name;
    c.start = a.start;
    c.attempt = a.attempt;
    c.exit_code = exit_code;
    c.duration_ms = duration_ms;
    c.output = "out " + std::to_string(a.start);
    return Do(c);
  }
  KvResult Expire() { return Do(MakeJobCommand(JobKind::kExpire, now_ms)); }

  MembersTable members;
  JobTable table;
  uint64_t now_ms = 1'000'000;
};

TEST(JobSplit, ChunkFollowsShareAndFactorAndNeverGoesBelowTheMinimum) {
  EXPECT_EQ(ChunkSize(1000, 1, 4, 1), 125u);  // 1000 x 1/4 / 2
  EXPECT_EQ(ChunkSize(1000, 3, 4, 1), 375u);
  EXPECT_EQ(ChunkSize(10, 1, 4, 5), 5u);  // 2 -> the minimum 5, which leaves 5
  EXPECT_EQ(ChunkSize(9, 1, 4, 5), 9u);   // 5 would leave 4 < min: all of it
  EXPECT_EQ(ChunkSize(1000, 1, 1'000'000, 1), 1u);
  EXPECT_EQ(ChunkSize(0, 1, 1, 1), 0u);
}

TEST(JobSplit, UnmeasuredWorkersTakeTheMeanRate) {
  const auto w = SplitWeights({{1, 2000, 0}, {2, 1000, 0}});
  EXPECT_EQ(w[0], 2 * w[1]);  // nobody measured: capacity alone
  const auto m = SplitWeights({{1, 1000, 3'000'000}, {2, 1000, 1'000'000}, {3, 1000, 0}});
  EXPECT_EQ(m[0], 3 * m[1]);
  EXPECT_EQ(m[2], 2 * m[1]);  // the mean of 3 and 1
}

TEST(Jobs, SplitIsWeightedByCapacity) {
  Fleet f;
  f.SetCapacity(1, 3000);
  f.SetCapacity(2, 1000);
  f.Beat(1);
  f.Beat(2);
  ASSERT_TRUE(f.Submit("j", 0, 8000).ok);
  const auto a = f.Claim(1);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->start, 0u);
  EXPECT_EQ(a->end, 3000u);  // 8000 x 3/4 / 2
  const auto b = f.Claim(2);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->start, 3000u);
  EXPECT_EQ(b->end, 3000u + 625);  // 5000 x 1/4 / 2
}

TEST(Jobs, IdleMembersCountAtTheFirstClaimSoItDoesNotTakeHalf) {
  Fleet f;
  f.SetCapacity(1, 1000);
  f.SetCapacity(2, 1000);
  f.SetCapacity(3, 2000);  // none of them heard yet: a fresh cluster, idle before the job
  ASSERT_TRUE(f.Submit("j", 0, 8000, 1, 0, 600).ok);
  const auto a = f.Claim(1);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->end, 1000u);  // 8000 x 1/4 / 2, not 8000 / 2
  // Past the job's first minute only workers heard count: 2 and 3 never claimed nor beat.
  f.now_ms += kWorkerLiveMs + 1;
  ASSERT_TRUE(f.Result("j", 1, *a, 0).ok);
  const auto b = f.Claim(1);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->end - b->start, 3500u);  // 7000 x 1/1 / 2
}

TEST(Jobs, ChunksShrinkTowardTheEnd) {
  Fleet f;
  f.Beat(1);
  f.Beat(2);
  ASSERT_TRUE(f.Submit("j", 0, 10000, 7).ok);
  std::vector<uint64_t> sizes;
  uint64_t node = 1;
  while (auto a = f.Claim(node)) {
    if (a->attempt != 1) break;  // a backup run: the items are all handed out
    sizes.push_back(a->end - a->start);
    ASSERT_TRUE(f.Result("j", node, *a, 0).ok);
    node = 3 - node;
  }
  ASSERT_GT(sizes.size(), 5u);
  // Non-increasing, but the last chunk takes a remainder below the minimum with it.
  for (size_t i = 1; i + 1 < sizes.size(); ++i) EXPECT_LE(sizes[i], sizes[i - 1]) << i;
  EXPECT_GE(sizes.back(), 7u);
  EXPECT_LT(sizes.back(), 14u);
  EXPECT_EQ(sizes[0], 2500u);  // 10000 x 1/2 / 2
  EXPECT_EQ(f.table.Find("j")->state, JobState::kDone);
}

TEST(Jobs, AHotterWorkerGetsASmallerNextChunk) {
  Fleet f;
  f.SetCapacity(1, 2000);
  f.SetCapacity(2, 2000);
  f.Beat(2);
  ASSERT_TRUE(f.Submit("j", 0, 100000).ok);
  const auto a = f.Claim(1);
  ASSERT_TRUE(a);
  ASSERT_TRUE(f.Result("j", 1, *a, 0, 0).ok);  // unmeasured: a zero duration tells nothing
  f.SetCapacity(1, 500);                       // throttled: the agent published a lower capacity
  const auto b = f.Claim(1);
  ASSERT_TRUE(b);
  EXPECT_LT((b->end - b->start) * 3, a->end - a->start);
}

TEST(Jobs, MeasuredRatesCorrectTheCapacity) {
  Fleet f;
  f.SetCapacity(1, 1000);
  f.SetCapacity(2, 1000);
  ASSERT_TRUE(f.Submit("j", 0, 1'000'000).ok);
  f.Beat(2);
  auto a = f.Claim(1);
  auto b = f.Claim(2);
  ASSERT_TRUE(a && b);
  // Same capacity, but node 2 is measured 4x slower per item.
  ASSERT_TRUE(f.Result("j", 1, *a, 0, (a->end - a->start) / 10).ok);
  ASSERT_TRUE(f.Result("j", 2, *b, 0, (b->end - b->start) * 4 / 10).ok);
  a = f.Claim(1);
  b = f.Claim(2);
  ASSERT_TRUE(a && b);
  const double ratio = double(a->end - a->start) / double(b->end - b->start);
  EXPECT_GT(ratio, 3.0);  // 4x the share, on fewer items left
}

TEST(Jobs, SameCommandsGiveTheSameSplitAndSnapshot) {
  Fleet f, g;
  for (Fleet* x : {&f, &g}) {
    x->SetCapacity(1, 1500);
    x->SetCapacity(2, 700);
    x->Submit("j", 5, 5000, 3);
  }
  for (int i = 0; i < 40; ++i) {
    const uint64_t node = 1 + i % 2;
    const auto a = f.Claim(node), b = g.Claim(node);
    ASSERT_EQ(a.has_value(), b.has_value());
    if (!a) break;
    EXPECT_EQ(a->end, b->end);
    f.Result("j", node, *a, 0, 10 + i);
    g.Result("j", node, *b, 0, 10 + i);
  }
  ByteWriter wf, wg;
  f.table.EncodeTo(wf);
  g.table.EncodeTo(wg);
  EXPECT_EQ(wf.out, wg.out);
  JobTable restored;
  ByteReader r{wf.out};
  ASSERT_TRUE(restored.DecodeFrom(r));
  EXPECT_TRUE(r.Done());
  EXPECT_EQ(restored.jobs(), f.table.jobs());
}

TEST(Jobs, AStaleAttemptIsRefused) {
  Fleet f;
  ASSERT_TRUE(f.Submit("j", 0, 100, 100, 0, 10).ok);
  const auto first = f.Claim(1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->attempt, 1u);
  f.now_ms += 10'000 + kJobLeaseGraceMs;  // the lease runs out
  EXPECT_TRUE(f.Expire().ok);
  EXPECT_TRUE(f.table.RunsOf(1).empty());
  const auto second = f.Claim(2);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->start, first->start);
  EXPECT_EQ(second->attempt, 2u);
  const KvResult stale = f.Result("j", 1, *first, 0);
  EXPECT_FALSE(stale.ok);
  EXPECT_EQ(stale.output, "stale attempt");
  EXPECT_EQ(f.table.Find("j")->committed_items, 0u);
  EXPECT_EQ(f.Result("j", 2, *second, 0).output, "committed");
  EXPECT_EQ(f.table.Find("j")->state, JobState::kDone);
  EXPECT_EQ(f.table.Find("j")->chunks.at(0).node, 2u);
}

TEST(Jobs, AFailingChunkIsRetriedThenFailsTheJobNamingIt) {
  Fleet f;
  ASSERT_TRUE(f.Submit("j", 0, 10, 10, 2).ok);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const auto a = f.Claim(1);
    ASSERT_TRUE(a) << attempt;
    EXPECT_EQ(a->attempt, uint64_t(attempt));
    EXPECT_TRUE(f.Result("j", 1, *a, 3).ok);
  }
  const Job* job = f.table.Find("j");
  EXPECT_EQ(job->state, JobState::kFailed);
  EXPECT_NE(job->failure.find("chunk [0, 10) failed 3 times; last exit 3"), std::string::npos)
      << job->failure;
  EXPECT_NE(job->failure.find("out 0"), std::string::npos);
  EXPECT_FALSE(f.Claim(1));
}

TEST(Jobs, CancelFencesEveryRun) {
  Fleet f;
  ASSERT_TRUE(f.Submit("j", 0, 100).ok);
  const auto a = f.Claim(1);
  ASSERT_TRUE(a);
  EXPECT_EQ(f.table.RunsOf(1).size(), 1u);
  EXPECT_TRUE(f.Do(MakeJobCommand(JobKind::kCancel, f.now_ms, 0, "j")).ok);
  EXPECT_TRUE(f.table.RunsOf(1).empty());
  EXPECT_EQ(f.table.Find("j")->state, JobState::kCancelled);
  EXPECT_FALSE(f.Result("j", 1, *a, 0).ok);
  EXPECT_FALSE(f.Do(MakeJobCommand(JobKind::kCancel, f.now_ms, 0, "j")).ok);
  EXPECT_FALSE(f.Claim(2));
}

TEST(Jobs, BackupRunOfTheSlowestChunkAndTheFirstResultWins) {
  Fleet f;
  f.Beat(2);
  ASSERT_TRUE(f.Submit("j", 0, 10, 5).ok);
  const auto a = f.Claim(1);  // [0, 5)
  const auto b = f.Claim(2);  // [5, 10)
  ASSERT_TRUE(a && b);
  ASSERT_EQ(b->end, 10u);
  ASSERT_TRUE(f.Result("j", 2, *b, 0, 100).ok);
  // All handed out; node 1's chunk is expected to take 100 ms like node 2's did.
  EXPECT_FALSE(f.Claim(2));  // not overdue yet, and node 2 would not finish it sooner
  f.now_ms += 1000;
  const auto backup = f.Claim(2);  // overdue: a backup run
  ASSERT_TRUE(backup);
  EXPECT_EQ(backup->start, a->start);
  EXPECT_EQ(backup->attempt, 2u);
  EXPECT_FALSE(f.Claim(3));  // one backup per chunk
  EXPECT_EQ(f.Result("j", 2, *backup, 0).output, "committed");
  EXPECT_FALSE(f.Result("j", 1, *a, 0).ok);  // the slower run lost
  EXPECT_EQ(f.table.Find("j")->state, JobState::kDone);
  EXPECT_EQ(f.table.Find("j")->committed_items, 10u);
}

TEST(Jobs, ADeadWorkersClaimAgainGivesItsChunkBack) {
  Fleet f;
  ASSERT_TRUE(f.Submit("j", 0, 100, 100).ok);
  const auto a = f.Claim(1);
  ASSERT_TRUE(a);
  const auto again = f.Claim(1);  // restarted: its old run died with its process
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempt, 2u);
  EXPECT_FALSE(f.Result("j", 1, *a, 0).ok);
}

TEST(JobCommands, DecodingIsBounded) {
  JobCommand c = MakeJobCommand(JobKind::kResult, 5, 1);
  c.name = "j";
  c.output = std::string(kJobOutputBytesMax, 'x');
  EXPECT_EQ(DecodeJobCommand(EncodeJobCommand(c)), c);
  c.output += "x";
  EXPECT_FALSE(DecodeJobCommand(EncodeJobCommand(c)));
  JobCommand s = MakeJobCommand(JobKind::kSubmit, 5);
  s.spec = JobSpec{"n", 0, 10, 1, 10, 0, Workload::kCommand, 1, {"a"}};
  EXPECT_EQ(DecodeJobCommand(EncodeJobCommand(s)), s);
  s.spec.argv.assign(kJobArgsMax + 1, "a");
  EXPECT_FALSE(DecodeJobCommand(EncodeJobCommand(s)));
  s.spec.argv = {"a"};
  s.spec.first = 10;  // no items
  EXPECT_FALSE(DecodeJobCommand(EncodeJobCommand(s)));
  std::string bytes = EncodeJobCommand(c);
  EXPECT_FALSE(DecodeJobCommand(bytes.substr(0, bytes.size() - 1)));
}

}  // namespace
}  // namespace pifleet::sm
