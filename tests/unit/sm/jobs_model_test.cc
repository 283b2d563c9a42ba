// Every item committed exactly once: random interleavings of claims, results (successes,
// failures, late results of runs presumed dead), worker crashes, clock jumps, expiry commands and
// snapshot round trips, applied to two replicas, checked against a model of committed items.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <sstream>

#include "agent/sm/jobs.h"

namespace pifleet::sm {
namespace {

struct Run {
  uint64_t node = 0, start = 0, end = 0, attempt = 0;
  uint64_t deadline_ms = 0;  // its lease, as the model computes it
  uint64_t claims = 0;       // its node's claims so far when it was handed out
};

class Replicas {
 public:
  explicit Replicas(uint32_t seed) : rng_(seed) {
    for (uint64_t node = 1; node <= 4; ++node) {
      Member m;
      m.node_id = node;
      m.capacity_milli = 500 + 500 * node;
      members_.Apply(1, EncodeUpsertMember(m));
    }
  }
  KvResult Do(const JobCommand& c) {
    const std::string bytes = EncodeJobCommand(c);
    const KvResult a = primary_.Apply(bytes, members_);
    const KvResult b = twin_.Apply(bytes, members_);
    EXPECT_EQ(a, b);
    return a;
  }
  void RoundTripTwin() {
    ByteWriter w;
    twin_.EncodeTo(w);
    JobTable restored;
    ByteReader r{w.out};
    ASSERT_TRUE(restored.DecodeFrom(r));
    twin_ = std::move(restored);
  }
  void ExpectSame() {
    ByteWriter a, b;
    primary_.EncodeTo(a);
    twin_.EncodeTo(b);
    EXPECT_EQ(a.out, b.out);
  }
  const JobTable& table() const { return primary_; }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
  MembersTable members_;
  JobTable primary_, twin_;
};

void RunScenario(uint32_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  Replicas replicas(seed);
  std::mt19937& rng = replicas.rng();
  uint64_t now_ms = 1'000'000;
  const uint64_t first = rng() % 100, end = first + 1 + rng() % 5000;
  JobCommand submit = MakeJobCommand(JobKind::kSubmit, now_ms);
  submit.spec = JobSpec{"j", first, end, 1 + rng() % 20, 5, 50, Workload::kCommand, 1, {"x"}};
  ASSERT_TRUE(replicas.Do(submit).ok);
  std::map<uint64_t, Run> running;  // node -> its current run
  std::vector<Run> zombies;         // runs of crashed workers that may still report late
  std::vector<int> committed(end - first, 0);
  std::map<uint64_t, uint64_t> claims;  // per node
  std::set<uint64_t> done;              // chunks committed
  // The model's fencing: a run still counts while its lease holds (by the command's time), its
  // node has not claimed again, and its chunk has no committed result.
  auto current = [&](const Run& run) {
    return now_ms < run.deadline_ms && claims[run.node] == run.claims && !done.count(run.start);
  };
  auto report = [&](const Run& run, int64_t exit_code) {
    const bool valid = current(run);
    JobCommand c = MakeJobCommand(JobKind::kResult, now_ms, run.node);
    c.name = "j";
    c.start = run.start;
    c.attempt = run.attempt;
    c.exit_code = exit_code;
    c.duration_ms = 1 + rng() % 1000;
    const KvResult r = replicas.Do(c);
    EXPECT_EQ(r.ok, valid) << r.output << " node " << run.node << " start " << run.start
                           << " attempt " << run.attempt << " now " << now_ms << " deadline "
                           << run.deadline_ms << " exit " << exit_code;  // fenced: refused
    if (r.output != "committed") return;
    done.insert(run.start);
    for (uint64_t i = run.start; i < run.end; ++i) ++committed[i - first];
  };
  for (int step = 0; step < 20000; ++step) {
    const Job* job = replicas.table().Find("j");
    if (job->state != JobState::kQueued && job->state != JobState::kRunning) break;
    now_ms += rng() % 200;
    const uint64_t node = 1 + rng() % 4;
    const uint32_t dice = rng() % 100;
    if (dice < 3) {  // the worker crashes: its run turns into a zombie
      if (running.count(node)) zombies.push_back(running[node]), running.erase(node);
    } else if (dice < 6 && !zombies.empty()) {  // a late result of a run presumed dead
      const size_t i = rng() % zombies.size();
      report(zombies[i], 0);
      zombies.erase(zombies.begin() + static_cast<long>(i));
    } else if (dice < 8) {
      now_ms += rng() % 80'000;  // a long stall: leases may run out
      replicas.Do(MakeJobCommand(JobKind::kExpire, now_ms));
    } else if (dice < 10) {
      replicas.RoundTripTwin();
    } else if (!running.count(node)) {
      std::istringstream out(replicas.Do(MakeJobCommand(JobKind::kClaim, now_ms, node)).output);
      Run run{node};
      run.deadline_ms = now_ms + submit.spec.timeout_s * 1000 + kJobLeaseGraceMs;
      run.claims = ++claims[node];
      uint64_t job_id = 0;
      if (out >> job_id >> run.start >> run.end >> run.attempt) running[node] = run;
    } else {
      const Run run = running[node];
      running.erase(node);
      report(run, rng() % 20 == 0 ? 1 : 0);
    }
  }
  replicas.ExpectSame();
  const Job* job = replicas.table().Find("j");
  ASSERT_EQ(job->state, JobState::kDone) << JobStateName(job->state) << " " << job->failure;
  EXPECT_EQ(job->committed_items, end - first);
  for (size_t i = 0; i < committed.size(); ++i) ASSERT_EQ(committed[i], 1) << "item " << first + i;
  uint64_t covered = first;  // the committed chunks tile [first, end)
  for (const auto& [start, chunk] : job->chunks) {
    EXPECT_EQ(start, covered);
    EXPECT_TRUE(chunk.done);
    covered = chunk.end;
  }
  EXPECT_EQ(covered, end);
}

TEST(JobsModel, EveryItemCommittedExactlyOnceUnderRandomInterleavings) {
  for (uint32_t seed = 1; seed <= 300; ++seed) RunScenario(seed);
}

}  // namespace
}  // namespace pifleet::sm
