#include "agent/sm/jobs.h"

#include <algorithm>

#include "agent/sm/job_split.h"

namespace pifleet::sm {
namespace {

KvResult Refused(std::string why) { return KvResult{false, std::move(why)}; }

bool Active(const Job& job) {
  return job.state == JobState::kQueued || job.state == JobState::kRunning;
}

std::string ChunkText(const JobChunk& chunk) {
  return "[" + std::to_string(chunk.start) + ", " + std::to_string(chunk.end) + ")";
}

}  // namespace

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

KvResult JobTable::Apply(const std::string& payload, const MembersTable& members,
                         bool accept_stale) {
  const std::optional<JobCommand> c = DecodeJobCommand(payload);
  if (!c) return Refused("malformed job command");
  log_time_ms_ = std::max(log_time_ms_, c->now_ms);
  ExpireDue();
  switch (c->kind) {
    case JobKind::kSubmit:
      return Submit(c->spec);
    case JobKind::kClaim:
      seen_ms_[c->node] = log_time_ms_;
      return Claim(c->node, members);
    case JobKind::kResult:
      seen_ms_[c->node] = log_time_ms_;
      return Result(*c, accept_stale);
    case JobKind::kCancel:
      return Cancel(c->name);
    case JobKind::kExpire:
      return KvResult{true, ""};
    case JobKind::kBeat:
      seen_ms_[c->node] = log_time_ms_;
      return KvResult{true, ""};
  }
  return Refused("unknown job command");
}

const Job* JobTable::Find(const std::string& name) const {
  for (const auto& [id, job] : jobs_) {
    if (job.spec.name == name) return &job;
  }
  return nullptr;
}

Job* JobTable::FindMutable(const std::string& name) {
  return const_cast<Job*>(static_cast<const JobTable*>(this)->Find(name));
}

KvResult JobTable::Submit(const JobSpec& spec) {
  if (Find(spec.name)) return Refused("a job named " + spec.name + " exists");
  if (jobs_.size() >= kJobsMax) {
    auto finished = std::find_if(jobs_.begin(), jobs_.end(),
                                 [](const auto& entry) { return !Active(entry.second); });
    if (finished == jobs_.end()) {
      return Refused(std::to_string(kJobsMax) + " jobs are queued or running");
    }
    jobs_.erase(finished);
  }
  Job job;
  job.id = next_id_++;
  job.spec = spec;
  job.submitted_ms = log_time_ms_;
  job.next_item = spec.first;
  const uint64_t id = job.id;
  jobs_[id] = std::move(job);
  return KvResult{true, std::to_string(id)};
}

KvResult JobTable::Cancel(const std::string& name) {
  Job* job = FindMutable(name);
  if (!job) return Refused("no job named " + name);
  if (!Active(*job)) return Refused("job " + name + " is " + JobStateName(job->state));
  Finish(*job, JobState::kCancelled);
  return KvResult{true, ""};
}

void JobTable::Finish(Job& job, JobState state) {
  job.state = state;
  job.finished_ms = log_time_ms_;
  for (auto& [start, chunk] : job.chunks) chunk.runs.clear();  // every run fenced
}

void JobTable::ExpireDue() {
  std::erase_if(seen_ms_,
                [this](const auto& s) { return log_time_ms_ - s.second > kWorkerLiveMs; });
  for (auto& [id, job] : jobs_) {
    if (!Active(job)) continue;
    for (auto& [start, chunk] : job.chunks) {
      std::erase_if(chunk.runs,
                    [this](const JobRun& run) { return run.deadline_ms <= log_time_ms_; });
    }
  }
}

void JobTable::DropRunsOf(uint64_t node) {
  for (auto& [id, job] : jobs_) {
    for (auto& [start, chunk] : job.chunks) {
      std::erase_if(chunk.runs, [node](const JobRun& run) { return run.node == node; });
    }
  }
}

uint64_t JobTable::NextDeadlineMs() const {
  uint64_t next = 0;
  for (const auto& [id, job] : jobs_) {
    for (const auto& [start, chunk] : job.chunks) {
      for (const JobRun& run : chunk.runs) {
        if (next == 0 || run.deadline_ms < next) next = run.deadline_ms;
      }
    }
  }
  return next;
}

std::vector<std::pair<const Job*, const JobChunk*>> JobTable::RunsOf(uint64_t node) const {
  std::vector<std::pair<const Job*, const JobChunk*>> runs;
  for (const auto& [id, job] : jobs_) {
    for (const auto& [start, chunk] : job.chunks) {
      for (const JobRun& run : chunk.runs) {
        if (run.node == node) runs.emplace_back(&job, &chunk);
      }
    }
  }
  return runs;
}

KvResult JobTable::Result(const JobCommand& c, bool accept_stale) {
  Job* job = FindMutable(c.name);
  if (!job) return Refused("no job named " + c.name);
  if (!Active(*job)) return Refused("job " + c.name + " is " + JobStateName(job->state));
  auto it = job->chunks.find(c.start);
  if (it == job->chunks.end()) return Refused("no such chunk");
  JobChunk& chunk = it->second;
  auto run = std::find_if(chunk.runs.begin(), chunk.runs.end(), [&c](const JobRun& r) {
    return r.node == c.node && r.attempt == c.attempt;
  });
  const bool stale = run == chunk.runs.end();
  if (stale && !accept_stale) return Refused("stale attempt");  // fenced: not committed
  const JobRun finished = stale ? JobRun{c.node, c.attempt} : *run;
  if (!stale) chunk.runs.erase(run);
  chunk.node = c.node;
  chunk.attempt = c.attempt;
  chunk.exit_code = c.exit_code;
  chunk.duration_ms = c.duration_ms;
  chunk.output = c.output;
  const uint64_t items = chunk.end - chunk.start;
  if (c.exit_code != 0) {
    // Retried `retries` times: the job fails now, fencing a backup run still going (a failing
    // chunk could otherwise count more failures than 1 + retries before it ends).
    if (++chunk.failures > job->spec.retries) {
      job->failure = "chunk " + ChunkText(chunk) + " failed " + std::to_string(chunk.failures) +
                     " times; last exit " + std::to_string(c.exit_code) + " on node " +
                     std::to_string(c.node) + ": " + c.output;
      Finish(*job, JobState::kFailed);
    }
    return KvResult{true, "failed"};
  }
  JobWorker& worker = job->workers[c.node];
  worker.items += items;
  worker.busy_ms += c.duration_ms;
  if (c.duration_ms > 0) {  // a zero duration measures nothing
    worker.rate_per_capacity = RatePerCapacity(items, c.duration_ms, finished.capacity_milli);
  }
  chunk.done = true;
  chunk.runs.clear();  // the first result wins; a backup's later result is stale
  job->committed_items += items;
  if (job->committed_items == job->total()) Finish(*job, JobState::kDone);
  return KvResult{true, "committed"};
}

}  // namespace pifleet::sm
