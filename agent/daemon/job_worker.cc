#include "agent/daemon/job_worker.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

namespace pifleet::daemon {

JobWorker::JobWorker(asio::io_context& io, uint64_t node_id, bool enabled, const std::string& user,
                     Propose propose, Note note, StartRun start_run)
    : io_(io),
      node_id_(node_id),
      enabled_(enabled),
      propose_(std::move(propose)),
      note_(std::move(note)),
      start_run_(std::move(start_run)) {
  if (geteuid() != 0) return;  // already unprivileged: commands run as the agent's user
  const passwd* entry = getpwnam(user.c_str());
  if (entry == nullptr || entry->pw_uid == 0) {
    no_user_ = true;  // never root: such a worker fails its chunks and says why
    if (enabled_) note_("job user '" + user + "' is missing or root: chunks will fail");
    return;
  }
  run_as_ = std::make_pair(entry->pw_uid, entry->pw_gid);
}

JobWorker::~JobWorker() { runner_.reset(); }  // kills the process group, joins its thread

namespace {

bool AnyJobActive(const sm::JobTable& table) {
  return std::any_of(table.jobs().begin(), table.jobs().end(), [](const auto& j) {
    return j.second.state == sm::JobState::kQueued || j.second.state == sm::JobState::kRunning;
  });
}

}  // namespace

void JobWorker::Send(sm::JobCommand command) {
  command.now_ms = wall_ms_;
  last_sent_ms_ = wall_ms_;
  propose_(sm::EncodeJobCommand(command));
}

bool JobWorker::Busy(const sm::JobTable& table) const {
  return phase_ != Phase::kIdle || AnyJobActive(table);
}

void JobWorker::Tick(const sm::JobTable& table, bool leader, uint64_t wall_ms) {
  wall_ms_ = wall_ms;
  const uint64_t deadline = table.NextDeadlineMs();
  if (leader && deadline != 0 && wall_ms >= deadline &&
      wall_ms - last_expire_ms_ >= kJobExpireCheckMs) {
    last_expire_ms_ = wall_ms;
    Send(sm::MakeJobCommand(sm::JobKind::kExpire, wall_ms));
  }
  if (!enabled_) return;
  switch (phase_) {
    case Phase::kRunning:
      if (!StillMine(table)) {  // cancelled, lease lost, or a backup's result won
        note_("chunk " + std::to_string(task_.start) + " of job " + task_.job +
              " is no longer ours: killing it");
        runner_->Kill();
        phase_ = Phase::kStopping;
      }
      return;
    case Phase::kStopping:
      return;
    case Phase::kClaiming:
    case Phase::kReporting:
      if (wall_ms - phase_ms_ < kJobAnswerWaitMs) return;
      phase_ = Phase::kIdle;  // not applied in time (the internal session resends it anyway)
      break;
    case Phase::kIdle:
      break;
  }
  const bool own_stale_runs = !table.RunsOf(node_id_).empty();  // from a previous process
  if ((table.HasWorkFor(node_id_) || own_stale_runs) && wall_ms >= next_claim_ms_) {
    phase_ = Phase::kClaiming;
    phase_ms_ = wall_ms;
    return Send(sm::MakeJobCommand(sm::JobKind::kClaim, wall_ms, node_id_));
  }
  if (AnyJobActive(table) && wall_ms - last_sent_ms_ >= kJobBeatMs) {
    Send(sm::MakeJobCommand(sm::JobKind::kBeat, wall_ms, node_id_));
  }
}

bool JobWorker::StillMine(const sm::JobTable& table) const {
  const sm::Job* job = table.Find(task_.job);
  if (!job) return false;
  const auto chunk = job->chunks.find(task_.start);
  if (chunk == job->chunks.end()) return false;
  return std::any_of(chunk->second.runs.begin(), chunk->second.runs.end(),
                     [this](const sm::JobRun& run) {
                       return run.node == node_id_ && run.attempt == task_.attempt;
                     });
}

void JobWorker::OnApplied(const std::string& payload, const sm::KvResult& result,
                          const sm::JobTable& table) {
  const std::optional<sm::JobCommand> command = sm::DecodeJobCommand(payload);
  if (!command || command->node != node_id_) return;
  if (command->kind == sm::JobKind::kClaim && phase_ == Phase::kClaiming) {
    std::istringstream assignment(result.output);
    uint64_t job_id = 0, start = 0, end = 0, attempt = 0;
    if (!result.ok || !(assignment >> job_id >> start >> end >> attempt)) {
      phase_ = Phase::kIdle;
      next_claim_ms_ = wall_ms_ + kJobEmptyClaimBackoffMs;
      return;
    }
    const auto job = table.jobs().find(job_id);
    if (job == table.jobs().end()) return void(phase_ = Phase::kIdle);
    return Start(job->second, start, end, attempt);
  }
  if (command->kind == sm::JobKind::kResult && phase_ == Phase::kReporting &&
      command->name == task_.job && command->start == task_.start &&
      command->attempt == task_.attempt) {
    phase_ = Phase::kIdle;  // committed, failed or refused as stale: either way, done with it
  }
}

void JobWorker::Start(const sm::Job& job, uint64_t start, uint64_t end, uint64_t attempt) {
  task_ = ChunkTask{job.spec.name,     start,           end,           attempt,
                    job.spec.workload, job.spec.rounds, job.spec.argv, job.spec.timeout_s * 1000,
                    run_as_,           no_user_};
  phase_ = Phase::kRunning;
  auto done = [this](const ChunkOutcome& outcome) { OnFinished(outcome); };
  runner_ = start_run_ ? start_run_(task_, done) : std::make_unique<JobRunner>(io_, task_, done);
}

void JobWorker::OnFinished(const ChunkOutcome& outcome) {
  runner_.reset();  // its thread has posted this and returned: the join is immediate
  if (phase_ == Phase::kStopping) {
    phase_ = Phase::kIdle;
    return;
  }
  sm::JobCommand result = sm::MakeJobCommand(sm::JobKind::kResult, wall_ms_, node_id_, task_.job);
  result.start = task_.start;
  result.attempt = task_.attempt;
  result.exit_code = outcome.exit_code;
  result.duration_ms = outcome.duration_ms;
  result.output = outcome.output.substr(0, sm::kJobOutputBytesMax);
  phase_ = Phase::kReporting;
  phase_ms_ = wall_ms_;
  Send(std::move(result));
}

}  // namespace pifleet::daemon
