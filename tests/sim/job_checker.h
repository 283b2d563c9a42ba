// The exactly-once checker of jobs in the simulation (docs/simulator.md, tests/sim/job_actors.h).
// It keeps its own account of every run from the job commands in log order (the first replica to
// apply each slot), from the contract of agent/sm/jobs.h, not from the job table's code: a claim
// grants a run (node, attempt) with a lease of the job's timeout + kJobLeaseGraceMs in log time
// (the highest time any job command carried); a run is fenced when its lease is past due, when
// its node claims again, when the chunk's result commits, when it fails, or when the job ends.
// Violations:
// - a result commits for a run that was fenced or never granted (the job-stale-attempt canary),
//   or a result that no simulated worker ran and reported; a failure counts for a fenced run;
// - a claim hands out a chunk already done, one overlapping another, or an attempt number not
//   above the chunk's previous ones; a result of an active run is refused as stale;
// - at the end, on every replica: a job not done (failed only once a chunk failed 1 + retries
//   times), done chunks that leave a gap or overlap in [first, end) or whose (node, attempt)
//   differs from the one committed, per-worker item counts that do not add up.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "agent/sm/job_commands.h"
#include "agent/sm/jobs.h"
#include "agent/sm/kv_op.h"

namespace pifleet::sim {

class JobChecker {
 public:
  // A run the simulated worker of `node` finished (not killed), with its exit code.
  void OnRan(uint64_t node, const std::string& job, uint64_t start, uint64_t attempt,
             int64_t exit_code);
  // A result a worker proposed.
  void OnReported(const sm::JobCommand& result);
  // Every job command in log order, once; "" or a violation.
  std::string OnApplied(const sm::JobCommand& command, const sm::KvResult& result);
  // Every job submitted so far has ended (done or failed) in this replica's table.
  bool AllEnded(const sm::JobTable& table) const;
  // After the run, one replica's table: "" or a violation.
  std::string CheckEnd(uint64_t node, const sm::JobTable& table) const;

  uint64_t jobs() const { return jobs_.size(); }
  uint64_t jobs_failed() const;
  uint64_t runs() const { return runs_; }
  uint64_t backups() const { return backups_; }
  uint64_t expired() const { return expired_; }
  uint64_t reruns() const { return reruns_; }
  uint64_t stale_refused() const { return stale_refused_; }

 private:
  struct Run {
    uint64_t node = 0;
    uint64_t deadline_ms = 0;
  };
  struct Chunk {
    uint64_t start = 0;
    uint64_t end = 0;
    uint64_t last_attempt = 0;
    std::map<uint64_t, Run> active;          // by attempt
    std::map<uint64_t, std::string> fenced;  // attempt -> why
    bool done = false;
    uint64_t node = 0;  // the committed result's
    uint64_t attempt = 0;
    uint32_t failures = 0;
  };
  struct Job {
    sm::JobSpec spec;
    bool ended = false;
    bool failed = false;
    uint64_t committed = 0;
    std::map<uint64_t, Chunk> chunks;            // by start
    std::map<uint64_t, uint64_t> items_by_node;  // committed
  };
  using RunKey = std::tuple<std::string, uint64_t, uint64_t, uint64_t, int64_t>;

  void Expire();
  void Fence(Chunk& chunk, uint64_t attempt, const std::string& why);
  void End(Job& job, bool failed);
  std::string OnClaim(const sm::JobCommand& command, const sm::KvResult& result);
  std::string OnResult(const sm::JobCommand& command, const sm::KvResult& result);
  std::string CheckJob(uint64_t node, const Job& model, const sm::Job& job) const;

  uint64_t log_time_ms_ = 0;
  std::map<std::string, Job> jobs_;          // by name
  std::map<uint64_t, std::string> name_of_;  // job id -> name
  std::set<RunKey> ran_;                     // (job, start, attempt, node, exit code)
  std::set<RunKey> reported_;
  uint64_t runs_ = 0, backups_ = 0, expired_ = 0, reruns_ = 0, stale_refused_ = 0;
};

}  // namespace pifleet::sim
