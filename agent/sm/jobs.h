// The job table (DESIGN §8): work split across the fleet by what each worker can do now, every
// item committed exactly once. Deterministic: the split is computed when a claim is applied, from
// the state alone (the members table's capacities, the durations results reported, the log time
// the commands carried), so every replica hands out the same chunks.
//
// A claim gets the lowest chunk that lost its run, else a new chunk of the unassigned items sized
// by weighted factoring (job_split.h), else, near the end, a backup run of the outstanding chunk
// that will finish last. Each run has a lease (deadline in log time: claim time + the job's
// timeout + kJobLeaseGraceMs) and an attempt number, the fencing token: a result commits only for
// a run that is still active (the current attempt, or either run of a backup pair), and the
// first successful result of a chunk fences every other run of it. A failed run counts against
// --retries; past them the job fails naming the chunk. A lease past due (any job command, or the
// leader's expire command, carries the time) puts the chunk back; so does a claim by the same
// node (a worker claims only when idle: its old runs died with its previous process).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/bytes.h"
#include "agent/sm/job_commands.h"
#include "agent/sm/kv_op.h"
#include "agent/sm/members.h"

namespace pifleet::sm {

inline constexpr size_t kJobsMax = 16;              // kept jobs; the oldest finished one goes
inline constexpr size_t kJobChunksMax = 2048;       // chunks of one job: the last takes the rest
inline constexpr uint64_t kJobLeaseGraceMs = 5000;  // a run's lease: its timeout + this
inline constexpr uint64_t kWorkerLiveMs = 60000;    // a worker unheard for longer counts no more

enum class JobState : uint8_t { kQueued = 0, kRunning = 1, kDone = 2, kFailed = 3, kCancelled = 4 };
const char* JobStateName(JobState state);

struct JobRun {
  uint64_t node = 0;
  uint64_t attempt = 0;
  uint64_t started_ms = 0;
  uint64_t deadline_ms = 0;
  uint64_t capacity_milli = 0;  // the worker's capacity when it claimed (members table)
  bool operator==(const JobRun&) const = default;
};

struct JobChunk {
  uint64_t start = 0;  // items [start, end); also the chunk's id
  uint64_t end = 0;
  uint64_t attempts = 0;  // attempt numbers handed out so far (the last one is the newest)
  uint32_t failures = 0;
  std::vector<JobRun> runs;  // active: at most two (a backup pair)
  bool done = false;
  // The committed result (done), or the last failure.
  uint64_t node = 0;
  uint64_t attempt = 0;
  int64_t exit_code = 0;
  uint64_t duration_ms = 0;
  std::string output;
  bool operator==(const JobChunk&) const = default;
};

// What one worker did for one job: the split's correction and the status's throughput.
struct JobWorker {
  uint64_t rate_per_capacity = 0;  // items/s x 1e6 per capacity unit, last measured; 0 unknown
  uint64_t items = 0;              // committed by this worker
  uint64_t busy_ms = 0;            // duration of its committed runs
  bool operator==(const JobWorker&) const = default;
};

struct Job {
  uint64_t id = 0;
  JobSpec spec;
  JobState state = JobState::kQueued;
  uint64_t submitted_ms = 0;
  uint64_t started_ms = 0;
  uint64_t finished_ms = 0;
  uint64_t next_item = 0;  // items below are in chunks
  uint64_t committed_items = 0;
  std::string failure;                    // a failed job: which chunk, its exit code and output
  std::map<uint64_t, JobChunk> chunks;    // by start
  std::map<uint64_t, JobWorker> workers;  // by node id
  uint64_t total() const { return spec.end - spec.first; }
  bool operator==(const Job&) const = default;
};

class JobTable {
 public:
  // Applies one job command decided in `slot` with the members table as it is at that slot.
  // ok=false with the reason in output when refused; a claim's output is "" (nothing to do) or
  // "<job> <start> <end> <attempt>". accept_stale: the simulator's job-stale-attempt canary only.
  KvResult Apply(const std::string& payload, const MembersTable& members,
                 bool accept_stale = false);

  const std::map<uint64_t, Job>& jobs() const { return jobs_; }
  const Job* Find(const std::string& name) const;
  uint64_t log_time_ms() const { return log_time_ms_; }
  // The earliest lease deadline of any active run (0: none): the leader proposes an expire
  // command once its clock passes it.
  uint64_t NextDeadlineMs() const;
  // True when `node` may have work from a claim now (a queued or running job with a chunk
  // waiting, items left, or a chunk a backup could take); a cheap local check before proposing.
  bool HasWorkFor(uint64_t node) const;
  // The active runs of `node`, as (job name, chunk).
  std::vector<std::pair<const Job*, const JobChunk*>> RunsOf(uint64_t node) const;

  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  KvResult Submit(const JobSpec& spec);
  KvResult Claim(uint64_t node, const MembersTable& members);
  KvResult Result(const JobCommand& c, bool accept_stale);
  KvResult Cancel(const std::string& name);
  void ExpireDue();
  void DropRunsOf(uint64_t node);
  std::optional<std::string> ClaimIn(Job& job, uint64_t node, const MembersTable& members);
  std::string Assign(Job& job, JobChunk& chunk, uint64_t node, uint64_t capacity_milli);
  void Finish(Job& job, JobState state);
  Job* FindMutable(const std::string& name);

  std::map<uint64_t, Job> jobs_;          // by id: submission order
  std::map<uint64_t, uint64_t> seen_ms_;  // worker node -> log time it last claimed or beat
  uint64_t next_id_ = 1;
  uint64_t log_time_ms_ = 0;
};

}  // namespace pifleet::sm
