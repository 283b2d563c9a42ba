// The jobs exactly-once checker (tests/sim/job_checker.h) against the real job table: an honest
// history passes, a result the table takes from a fenced run (the job-stale-attempt canary) and
// a result no worker reported are caught.
#include <gtest/gtest.h>

#include <sstream>

#include "agent/sm/jobs.h"
#include "tests/sim/job_checker.h"

namespace pifleet::sim {
namespace {

class JobHistory {
 public:
  explicit JobHistory(bool accept_stale) : accept_stale_(accept_stale) {}

  std::string Apply(const sm::JobCommand& command, sm::KvResult* out = nullptr) {
    const sm::KvResult result =
        table_.Apply(sm::EncodeJobCommand(command), members_, accept_stale_);
    if (out) *out = result;
    return checker_.OnApplied(command, result);
  }
  std::string Submit(uint64_t items) {
    sm::JobCommand submit = sm::MakeJobCommand(sm::JobKind::kSubmit, 0);
    submit.spec.name = "j";
    submit.spec.end = items;
    submit.spec.timeout_s = 1;
    submit.spec.workload = sm::Workload::kSha256;
    return Apply(submit);
  }
  // A claim's (start, attempt), or (UINT64_MAX, 0) when it got nothing.
  std::pair<uint64_t, uint64_t> Claim(uint64_t node, uint64_t now_ms) {
    sm::KvResult result;
    EXPECT_EQ(Apply(sm::MakeJobCommand(sm::JobKind::kClaim, now_ms, node), &result), "");
    std::istringstream in(result.output);
    uint64_t id = 0, start = 0, end = 0, attempt = 0;
    if (!(in >> id >> start >> end >> attempt)) return {UINT64_MAX, 0};
    return {start, attempt};
  }
  std::string Result(uint64_t node, uint64_t now_ms, uint64_t start, uint64_t attempt,
                     bool ran = true) {
    sm::JobCommand result = sm::MakeJobCommand(sm::JobKind::kResult, now_ms, node, "j");
    result.start = start;
    result.attempt = attempt;
    result.duration_ms = 100;
    if (ran) checker_.OnRan(node, "j", start, attempt, 0);
    checker_.OnReported(result);
    return Apply(result);
  }

  sm::JobTable table_;
  sm::MembersTable members_;
  JobChecker checker_;
  bool accept_stale_;
};

TEST(JobChecker, PassesAnHonestHistoryWithAStaleResultRefused) {
  JobHistory h(false);
  ASSERT_EQ(h.Submit(100), "");
  const auto [first, a1] = h.Claim(1, 10);
  ASSERT_NE(first, UINT64_MAX);
  // Node 1 stalls past its lease: node 2's claim (log time 7000) finds the chunk back.
  const auto [again, a2] = h.Claim(2, 7000);
  EXPECT_EQ(again, first);
  EXPECT_GT(a2, a1);
  EXPECT_EQ(h.Result(1, 7100, first, a1), "");  // refused as stale: no violation
  EXPECT_EQ(h.checker_.stale_refused(), 1u);
  EXPECT_EQ(h.Result(2, 7200, first, a2), "");
  for (uint64_t now = 7300; h.table_.Find("j")->state != sm::JobState::kDone; now += 100) {
    const auto [start, attempt] = h.Claim(2, now);
    ASSERT_NE(start, UINT64_MAX);
    EXPECT_EQ(h.Result(2, now + 50, start, attempt), "");
  }
  EXPECT_TRUE(h.checker_.AllEnded(h.table_));
  EXPECT_EQ(h.checker_.CheckEnd(1, h.table_), "");
  EXPECT_EQ(h.checker_.expired(), 1u);
}

TEST(JobChecker, CatchesAResultTakenFromAFencedRun) {
  JobHistory h(true);  // the job-stale-attempt canary
  ASSERT_EQ(h.Submit(100), "");
  const auto [first, a1] = h.Claim(1, 10);
  h.Claim(2, 7000);
  const std::string v = h.Result(1, 7100, first, a1);
  EXPECT_NE(v.find("fenced (its lease expired"), std::string::npos) << v;
}

TEST(JobChecker, CatchesAResultNoWorkerRan) {
  JobHistory h(false);
  ASSERT_EQ(h.Submit(100), "");
  const auto [first, a1] = h.Claim(1, 10);
  const std::string v = h.Result(1, 20, first, a1, /*ran=*/false);
  EXPECT_NE(v.find("no worker ran and reported it"), std::string::npos) << v;
}

TEST(JobChecker, CatchesALostJobAtTheEnd) {
  JobHistory h(false);
  ASSERT_EQ(h.Submit(10), "");
  const sm::JobTable empty;
  EXPECT_NE(h.checker_.CheckEnd(3, empty).find("node 3 lost job j"), std::string::npos);
}

}  // namespace
}  // namespace pifleet::sim
