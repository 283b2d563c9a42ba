#include "tests/sim/job_checker.h"

#include <algorithm>
#include <sstream>

namespace pifleet::sim {
namespace {

std::string ChunkText(const std::string& job, uint64_t start, uint64_t end) {
  return "job " + job + " chunk [" + std::to_string(start) + ", " + std::to_string(end) + ")";
}

std::string RunText(uint64_t node, uint64_t attempt) {
  return "node " + std::to_string(node) + " attempt " + std::to_string(attempt);
}

}  // namespace

void JobChecker::OnRan(uint64_t node, const std::string& job, uint64_t start, uint64_t attempt,
                       int64_t exit_code) {
  ran_.insert({job, start, attempt, node, exit_code});
}

void JobChecker::OnReported(const sm::JobCommand& result) {
  reported_.insert({result.name, result.start, result.attempt, result.node, result.exit_code});
}

uint64_t JobChecker::jobs_failed() const {
  return static_cast<uint64_t>(std::count_if(
      jobs_.begin(), jobs_.end(), [](const auto& entry) { return entry.second.failed; }));
}

void JobChecker::Fence(Chunk& chunk, uint64_t attempt, const std::string& why) {
  chunk.active.erase(attempt);
  chunk.fenced[attempt] = why;
}

void JobChecker::End(Job& job, bool failed) {
  job.ended = true;
  job.failed = failed;
  for (auto& [start, chunk] : job.chunks) {
    while (!chunk.active.empty()) {
      Fence(chunk, chunk.active.begin()->first, failed ? "the job failed" : "the job was done");
    }
  }
}

void JobChecker::Expire() {
  for (auto& [name, job] : jobs_) {
    if (job.ended) continue;
    for (auto& [start, chunk] : job.chunks) {
      for (auto it = chunk.active.begin(); it != chunk.active.end();) {
        const auto [attempt, run] = *it++;
        if (run.deadline_ms > log_time_ms_) continue;
        ++expired_;
        Fence(chunk, attempt, "its lease expired at log time " + std::to_string(run.deadline_ms));
      }
    }
  }
}

std::string JobChecker::OnApplied(const sm::JobCommand& command, const sm::KvResult& result) {
  log_time_ms_ = std::max(log_time_ms_, command.now_ms);
  Expire();
  switch (command.kind) {
    case sm::JobKind::kSubmit:
      if (result.ok) {
        Job job;
        job.spec = command.spec;
        jobs_[command.spec.name] = std::move(job);
        name_of_[std::stoull(result.output)] = command.spec.name;
      }
      return "";
    case sm::JobKind::kClaim:
      return OnClaim(command, result);
    case sm::JobKind::kResult:
      return OnResult(command, result);
    default:
      return "";
  }
}

std::string JobChecker::OnClaim(const sm::JobCommand& command, const sm::KvResult& result) {
  // An idle worker's claim: every run its node still held died with its previous process.
  for (auto& [name, job] : jobs_) {
    for (auto& [start, chunk] : job.chunks) {
      for (auto it = chunk.active.begin(); it != chunk.active.end();) {
        const auto [attempt, run] = *it++;
        if (run.node == command.node) Fence(chunk, attempt, "its node claimed again");
      }
    }
  }
  std::istringstream assignment(result.output);
  uint64_t id = 0, start = 0, end = 0, attempt = 0;
  if (!result.ok || !(assignment >> id >> start >> end >> attempt)) return "";
  const auto name = name_of_.find(id);
  if (name == name_of_.end()) return "jobs: a claim handed out unknown job " + std::to_string(id);
  Job& job = jobs_[name->second];
  const std::string what = ChunkText(name->second, start, end);
  if (job.ended) return "jobs: " + what + " handed out after the job ended";
  auto found = job.chunks.find(start);
  if (found == job.chunks.end()) {
    const auto next = job.chunks.lower_bound(start);
    const bool overlaps_next = next != job.chunks.end() && next->first < end;
    const bool overlaps_prev = next != job.chunks.begin() && std::prev(next)->second.end > start;
    if (start < job.spec.first || end > job.spec.end || start >= end || overlaps_next ||
        overlaps_prev) {
      return "jobs: " + what + " overlaps another chunk or lies outside the job's items";
    }
    Chunk fresh;
    fresh.start = start;
    fresh.end = end;
    found = job.chunks.emplace(start, std::move(fresh)).first;
  }
  Chunk& chunk = found->second;
  if (chunk.end != end) return "jobs: " + what + " handed out with another end than before";
  if (chunk.done) return "jobs: " + what + " handed out again after its result committed";
  if (attempt <= chunk.last_attempt) {
    return "jobs: " + what + " handed out attempt " + std::to_string(attempt) + " after attempt " +
           std::to_string(chunk.last_attempt);
  }
  if (!chunk.active.empty()) ++backups_;
  if (chunk.active.empty() && chunk.last_attempt > 0) ++reruns_;
  chunk.last_attempt = attempt;
  chunk.active[attempt] = {command.node,
                           log_time_ms_ + job.spec.timeout_s * 1000 + sm::kJobLeaseGraceMs};
  ++runs_;
  return "";
}

std::string JobChecker::OnResult(const sm::JobCommand& command, const sm::KvResult& result) {
  auto job_it = jobs_.find(command.name);
  if (job_it == jobs_.end()) return "";
  Job& job = job_it->second;
  auto chunk_it = job.chunks.find(command.start);
  if (chunk_it == job.chunks.end()) {
    return result.ok ? "jobs: a result of job " + command.name + " was taken for unknown chunk " +
                           std::to_string(command.start)
                     : "";
  }
  Chunk& chunk = chunk_it->second;
  const std::string what = ChunkText(command.name, chunk.start, chunk.end);
  const std::string run = RunText(command.node, command.attempt);
  const auto active = chunk.active.find(command.attempt);
  const bool is_active = active != chunk.active.end() && active->second.node == command.node;
  if (!result.ok) {
    if (result.output == "stale attempt" && is_active) {
      return "jobs: " + what + ": the result of " + run + " was refused although its run is active";
    }
    if (result.output == "stale attempt") ++stale_refused_;
    return "";
  }
  if (!is_active) {
    const auto why = chunk.fenced.find(command.attempt);
    return "jobs: " + what + ": a result of " + run + " was " + result.output +
           ", but that run was " +
           (why == chunk.fenced.end() ? std::string("never granted")
                                      : "fenced (" + why->second + ")");
  }
  if (!reported_.contains(
          {command.name, chunk.start, command.attempt, command.node, command.exit_code}) ||
      !ran_.contains(
          {command.name, chunk.start, command.attempt, command.node, command.exit_code})) {
    return "jobs: " + what + ": the result of " + run + " was taken, but no worker ran and " +
           "reported it";
  }
  if (result.output == "failed") {
    Fence(chunk, command.attempt, "it failed");
    if (++chunk.failures > job.spec.retries) End(job, true);
    return "";
  }
  chunk.done = true;
  chunk.node = command.node;
  chunk.attempt = command.attempt;
  while (!chunk.active.empty()) {
    Fence(chunk, chunk.active.begin()->first, "the result of " + run + " committed first");
  }
  job.committed += chunk.end - chunk.start;
  job.items_by_node[command.node] += chunk.end - chunk.start;
  if (job.committed == job.spec.end - job.spec.first) End(job, false);
  return "";
}

bool JobChecker::AllEnded(const sm::JobTable& table) const {
  return std::all_of(jobs_.begin(), jobs_.end(), [&table](const auto& entry) {
    const sm::Job* job = table.Find(entry.first);
    return job && (job->state == sm::JobState::kDone || job->state == sm::JobState::kFailed ||
                   job->state == sm::JobState::kCancelled);
  });
}

std::string JobChecker::CheckEnd(uint64_t node, const sm::JobTable& table) const {
  for (const auto& [name, model] : jobs_) {
    const sm::Job* job = table.Find(name);
    if (!job) return "jobs: node " + std::to_string(node) + " lost job " + name;
    if (std::string v = CheckJob(node, model, *job); !v.empty()) return v;
  }
  return "";
}

std::string JobChecker::CheckJob(uint64_t node, const Job& model, const sm::Job& job) const {
  const std::string where = "jobs: node " + std::to_string(node) + ": job " + job.spec.name;
  const sm::JobState expected = !model.ended   ? sm::JobState::kRunning
                                : model.failed ? sm::JobState::kFailed
                                               : sm::JobState::kDone;
  if (job.state != expected) {
    return where + " is " + sm::JobStateName(job.state) + ", not " + sm::JobStateName(expected) +
           (model.ended ? "" : " (it never ended)");
  }
  uint64_t expect_start = job.spec.first, committed = 0;
  std::map<uint64_t, uint64_t> items_by_node;
  for (const auto& [start, chunk] : job.chunks) {
    if (!chunk.done) continue;
    const std::string what = ChunkText(job.spec.name, chunk.start, chunk.end);
    if (chunk.start < expect_start) return where + ": " + what + " overlaps the chunk before it";
    if (model.failed) expect_start = chunk.start;
    if (chunk.start > expect_start) {
      return where + ": items [" + std::to_string(expect_start) + ", " +
             std::to_string(chunk.start) + ") have no result";
    }
    const auto mine = model.chunks.find(chunk.start);
    if (mine == model.chunks.end() || !mine->second.done || mine->second.end != chunk.end ||
        mine->second.node != chunk.node || mine->second.attempt != chunk.attempt) {
      return where + ": " + what + " holds the result of " + RunText(chunk.node, chunk.attempt) +
             ", not the one committed in the log";
    }
    expect_start = chunk.end;
    committed += chunk.end - chunk.start;
    items_by_node[chunk.node] += chunk.end - chunk.start;
  }
  if (!model.failed && expect_start != job.spec.end) {
    return where + ": items [" + std::to_string(expect_start) + ", " +
           std::to_string(job.spec.end) + ") have no result";
  }
  if (committed != job.committed_items || committed != model.committed) {
    return where + " counts " + std::to_string(job.committed_items) + " items committed, its " +
           "chunks hold " + std::to_string(committed);
  }
  std::map<uint64_t, uint64_t> counted;
  for (const auto& [id, worker] : job.workers) {
    if (worker.items != 0) counted[id] = worker.items;
  }
  if (counted != items_by_node || counted != model.items_by_node) {
    return where + ": its workers' item counts do not add up to the committed chunks";
  }
  return "";
}

}  // namespace pifleet::sim
