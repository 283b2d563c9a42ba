// The job table's snapshot bytes: each job (its spec as the submit command's body, state,
// times, chunks with their runs and results, per-worker figures), then the workers' last-heard
// times, the next job id and the log time. Decoding bounds every count and string.
#include "agent/sm/job_split.h"
#include "agent/sm/jobs.h"

namespace pifleet::sm {
namespace {

void EncodeChunk(ByteWriter& w, const JobChunk& c) {
  w.U64(c.start);
  w.U64(c.end);
  w.U64(c.attempts);
  w.U64(c.failures);
  w.U64(c.runs.size());
  for (const JobRun& run : c.runs) {
    w.U64(run.node);
    w.U64(run.attempt);
    w.U64(run.started_ms);
    w.U64(run.deadline_ms);
    w.U64(run.capacity_milli);
  }
  w.U8(c.done ? 1 : 0);
  w.U64(c.node);
  w.U64(c.attempt);
  w.U64(static_cast<uint64_t>(c.exit_code));
  w.U64(c.duration_ms);
  w.Str(c.output);
}

bool DecodeChunk(ByteReader& r, const Job& job, JobChunk* c) {
  c->start = r.U64();
  c->end = r.U64();
  c->attempts = r.U64();
  const uint64_t failures = r.U64();
  const uint64_t runs = r.Count(40);
  if (!r.ok || runs > 2 || failures > kJobRetriesMax + 2) return false;
  c->failures = static_cast<uint32_t>(failures);
  for (uint64_t i = 0; i < runs; ++i) {
    JobRun run;
    run.node = r.U64();
    run.attempt = r.U64();
    run.started_ms = r.U64();
    run.deadline_ms = r.U64();
    run.capacity_milli = r.U64();
    c->runs.push_back(run);
  }
  c->done = r.U8() != 0;
  c->node = r.U64();
  c->attempt = r.U64();
  c->exit_code = static_cast<int64_t>(r.U64());
  c->duration_ms = r.U64();
  c->output = r.Str(kJobOutputBytesMax);
  return r.ok && c->start < c->end && c->start >= job.spec.first && c->end <= job.next_item;
}

void EncodeJob(ByteWriter& w, const Job& job) {
  JobCommand submit;
  submit.kind = JobKind::kSubmit;
  submit.spec = job.spec;
  w.U64(job.id);
  w.Str(EncodeJobCommand(submit));
  w.U8(static_cast<uint8_t>(job.state));
  w.U64(job.submitted_ms);
  w.U64(job.started_ms);
  w.U64(job.finished_ms);
  w.U64(job.next_item);
  w.U64(job.committed_items);
  w.Str(job.failure);
  w.U64(job.chunks.size());
  for (const auto& [start, chunk] : job.chunks) EncodeChunk(w, chunk);
  w.U64(job.workers.size());
  for (const auto& [node, worker] : job.workers) {
    w.U64(node);
    w.U64(worker.rate_per_capacity);
    w.U64(worker.items);
    w.U64(worker.busy_ms);
  }
}

bool DecodeJob(ByteReader& r, Job* job) {
  job->id = r.U64();
  const std::optional<JobCommand> submit = DecodeJobCommand(r.Str(core::kCommandBytesMax));
  const uint8_t state = r.U8();
  job->submitted_ms = r.U64();
  job->started_ms = r.U64();
  job->finished_ms = r.U64();
  job->next_item = r.U64();
  job->committed_items = r.U64();
  job->failure = r.Str(kJobOutputBytesMax + 256);
  if (!r.ok || !submit || submit->kind != JobKind::kSubmit || state > 4) return false;
  job->spec = submit->spec;
  job->state = static_cast<JobState>(state);
  if (job->next_item < job->spec.first || job->next_item > job->spec.end ||
      job->committed_items > job->total()) {
    return false;
  }
  const uint64_t chunks = r.Count(80);
  if (chunks > kJobChunksMax) return false;
  for (uint64_t i = 0; i < chunks && r.ok; ++i) {
    JobChunk chunk;
    if (!DecodeChunk(r, *job, &chunk) || job->chunks.count(chunk.start)) return false;
    job->chunks[chunk.start] = std::move(chunk);
  }
  const uint64_t workers = r.Count(32);
  for (uint64_t i = 0; i < workers && r.ok; ++i) {
    const uint64_t node = r.U64();
    JobWorker& worker = job->workers[node];
    worker.rate_per_capacity = r.U64();
    worker.items = r.U64();
    worker.busy_ms = r.U64();
  }
  return r.ok && job->workers.size() == workers;
}

}  // namespace

void JobTable::EncodeTo(ByteWriter& w) const {
  w.U64(jobs_.size());
  for (const auto& [id, job] : jobs_) EncodeJob(w, job);
  w.U64(seen_ms_.size());
  for (const auto& [node, ms] : seen_ms_) {
    w.U64(node);
    w.U64(ms);
  }
  w.U64(next_id_);
  w.U64(log_time_ms_);
}

bool JobTable::DecodeFrom(ByteReader& r) {
  JobTable table;
  const uint64_t jobs = r.Count(64);
  if (jobs > kJobsMax) return false;
  for (uint64_t i = 0; i < jobs && r.ok; ++i) {
    Job job;
    if (!DecodeJob(r, &job) || table.jobs_.count(job.id)) return false;
    table.jobs_[job.id] = std::move(job);
  }
  const uint64_t seen = r.Count(16);
  for (uint64_t i = 0; i < seen && r.ok; ++i) {
    const uint64_t node = r.U64();
    table.seen_ms_[node] = r.U64();
  }
  table.next_id_ = r.U64();
  table.log_time_ms_ = r.U64();
  if (!r.ok || table.seen_ms_.size() != seen) return false;
  if (!table.jobs_.empty() && table.jobs_.rbegin()->first >= table.next_id_) return false;
  *this = std::move(table);
  return true;
}

}  // namespace pifleet::sm
