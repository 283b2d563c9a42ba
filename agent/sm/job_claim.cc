// Claims: which chunk an idle worker gets (agent/sm/jobs.h, job_split.h).
#include <algorithm>

#include "agent/sm/job_split.h"
#include "agent/sm/jobs.h"

namespace pifleet::sm {
namespace {

uint64_t CapacityOf(const MembersTable& members, uint64_t node) {
  const auto it = members.members().find(node);
  return it == members.members().end() ? 0 : it->second.capacity_milli;
}

// The workers a claim shares the job with, the claimer first: every worker heard within
// kWorkerLiveMs, every worker holding a run of this job, and, in the job's first
// kWorkerLiveMs, every member with a published capacity: workers idle before the job have not
// claimed or beaten yet, and leaving them out would hand the first claimer half the items. A
// member that opted out only makes the first chunks smaller; after the window, the workers heard
// decide (they beat every kJobBeatMs).
std::vector<SplitWorker> LiveWorkers(const Job& job, uint64_t node, const MembersTable& members,
                                     const std::map<uint64_t, uint64_t>& seen_ms,
                                     uint64_t log_time_ms) {
  std::vector<SplitWorker> live;
  auto add = [&](uint64_t id) {
    if (std::any_of(live.begin(), live.end(), [id](const SplitWorker& w) { return w.node == id; }))
      return;
    const auto measured = job.workers.find(id);
    live.push_back({id, CapacityOf(members, id),
                    measured == job.workers.end() ? 0 : measured->second.rate_per_capacity});
  };
  add(node);
  for (const auto& [id, seen] : seen_ms) {
    if (log_time_ms - seen <= kWorkerLiveMs) add(id);
  }
  for (const auto& [start, chunk] : job.chunks) {
    for (const JobRun& run : chunk.runs) add(run.node);
  }
  if (job.state == JobState::kQueued || log_time_ms - job.started_ms <= kWorkerLiveMs) {
    for (const auto& [id, member] : members.members()) {
      if (member.capacity_milli != 0) add(id);
    }
  }
  return live;
}

}  // namespace

KvResult JobTable::Claim(uint64_t node, const MembersTable& members) {
  DropRunsOf(node);  // a worker claims only when idle: runs it still holds died with it
  for (auto& [id, job] : jobs_) {
    if (job.state != JobState::kQueued && job.state != JobState::kRunning) continue;
    if (std::optional<std::string> assigned = ClaimIn(job, node, members)) {
      return KvResult{true, std::move(*assigned)};
    }
  }
  return KvResult{true, ""};
}

std::string JobTable::Assign(Job& job, JobChunk& chunk, uint64_t node, uint64_t capacity_milli) {
  if (job.state == JobState::kQueued) {
    job.state = JobState::kRunning;
    job.started_ms = log_time_ms_;
  }
  const JobRun run{node, ++chunk.attempts, log_time_ms_,
                   log_time_ms_ + job.spec.timeout_s * 1000 + kJobLeaseGraceMs, capacity_milli};
  chunk.runs.push_back(run);
  return std::to_string(job.id) + " " + std::to_string(chunk.start) + " " +
         std::to_string(chunk.end) + " " + std::to_string(run.attempt);
}

std::optional<std::string> JobTable::ClaimIn(Job& job, uint64_t node, const MembersTable& members) {
  const uint64_t capacity = CapacityOf(members, node);
  // 1. A chunk that lost its run (lease expired, worker gone, command failed), lowest first.
  for (auto& [start, chunk] : job.chunks) {
    if (!chunk.done && chunk.runs.empty()) return Assign(job, chunk, node, capacity);
  }
  const std::vector<SplitWorker> live = LiveWorkers(job, node, members, seen_ms_, log_time_ms_);
  const std::vector<unsigned __int128> weights = SplitWeights(live);
  unsigned __int128 weight_sum = 0;
  for (const auto w : weights) weight_sum += w;
  // 2. A new chunk of the unassigned items, sized by this worker's share.
  if (job.next_item < job.spec.end) {
    const uint64_t remaining = job.spec.end - job.next_item;
    uint64_t size = ChunkSize(remaining, weights[0], weight_sum, job.spec.chunk_min);
    if (job.chunks.size() + 1 >= kJobChunksMax) size = remaining;
    JobChunk& chunk = job.chunks[job.next_item];
    chunk.start = job.next_item;
    chunk.end = job.next_item + size;
    job.next_item = chunk.end;
    return Assign(job, chunk, node, capacity);
  }
  // 3. A backup run of the outstanding chunk that will finish last: one overdue by its
  // worker's measured speed (the longest overdue first), or one this worker would finish sooner
  // (LATE's estimate of time left, notes/services-and-jobs.md §1). With nothing measured yet, the
  // longest-running chunk.
  const bool measured = std::any_of(live.begin(), live.end(),
                                    [](const SplitWorker& w) { return w.rate_per_capacity != 0; });
  auto weight_of = [&](uint64_t id) {
    for (size_t i = 0; i < live.size(); ++i) {
      if (live[i].node == id) return weights[i];
    }
    return weights[0];
  };
  JobChunk* slowest = nullptr;
  std::pair<bool, uint64_t> slowest_key{false, 0};  // (overdue, how late it will end)
  for (auto& [start, chunk] : job.chunks) {
    if (chunk.done || chunk.runs.size() != 1 || chunk.runs[0].node == node) continue;
    const JobRun& run = chunk.runs[0];
    const uint64_t items = chunk.end - chunk.start;
    std::pair<bool, uint64_t> key{true, UINT64_MAX - run.started_ms};
    if (measured) {
      const uint64_t end_ms = run.started_ms + ExpectedMs(items, weight_of(run.node));
      if (end_ms > log_time_ms_) {
        if (log_time_ms_ + ExpectedMs(items, weights[0]) >= end_ms) continue;
        key = {false, end_ms};
      }
    }
    if (!slowest || key > slowest_key) slowest = &chunk, slowest_key = key;
  }
  if (slowest) return Assign(job, *slowest, node, capacity);
  return std::nullopt;
}

bool JobTable::HasWorkFor(uint64_t node) const {
  for (const auto& [id, job] : jobs_) {
    if (job.state != JobState::kQueued && job.state != JobState::kRunning) continue;
    if (job.next_item < job.spec.end) return true;
    for (const auto& [start, chunk] : job.chunks) {
      if (chunk.done) continue;
      if (chunk.runs.empty()) return true;
      if (chunk.runs.size() == 1 && chunk.runs[0].node != node) return true;
    }
  }
  return false;
}

}  // namespace pifleet::sm
