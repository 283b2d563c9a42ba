// Jobs in the simulation (tests/sim/job_actors.h): each node incarnation runs the agent's own
// JobWorker, proposing through the node's own InternalSession as the agent's OwnProposals does;
// its chunks run as simulated time only (a SimChunkRun through the worker's StartRun seam). The
// submitter proposes at a random node. The job commands feed the exactly-once checker in log
// order; after the heal every replica's job table is checked.
#include "tests/sim/simulation.h"

namespace pifleet::sim {
namespace {
constexpr int64_t kKillUs = 2000;  // a killed run's process group is gone
}  // namespace

// A chunk "running" on a simulated node: it ends by a kJobRunDone event; destroying it (the
// worker is done with it, or died in a crash) forgets it.
class SimChunkRun final : public daemon::ChunkRun {
 public:
  SimChunkRun(Simulation* sim, uint64_t id) : sim_(sim), id_(id) {}
  ~SimChunkRun() override { sim_->job_runs_.erase(id_); }
  void Kill() override {
    auto it = sim_->job_runs_.find(id_);
    if (it == sim_->job_runs_.end() || it->second.killed) return;
    it->second.killed = true;
    sim_->Schedule(sim_->now_us_ + kKillUs, Simulation::Kind::kJobRunDone, it->second.node, id_);
  }

 private:
  Simulation* const sim_;
  const uint64_t id_;
};

void Simulation::StartJobs(SimNode& node) {
  if (!JobsOn()) return;
  const auto index = static_cast<uint32_t>(node.id - 1);
  auto start_run = [this, index](const daemon::ChunkTask& task,
                                 std::function<void(daemon::ChunkOutcome)> done) {
    const uint64_t id = next_job_run_++;
    const int64_t run_us = jobs_.RunUs(index, task.end - task.start);
    job_runs_[id] = JobRun{index, task, std::move(done), run_us, false};
    Schedule(now_us_ + run_us, Kind::kJobRunDone, index, id);
    return std::make_unique<SimChunkRun>(this, id);
  };
  SimNode* self = &node;
  auto propose = [this, self](std::string payload) {
    if (auto command = sm::DecodeJobCommand(payload);
        command && command->kind == sm::JobKind::kResult) {
      jobs_.checker().OnReported(*command);
    }
    self->own->Enqueue(std::move(payload));
  };
  node.worker = std::make_unique<daemon::JobWorker>(
      job_io_, node.id, true, "nobody", std::move(propose), [](const std::string&) {},
      std::move(start_run));
}

void Simulation::JobTick(SimNode& node) {
  if (!node.worker || node.ticks % daemon::kJobTickTicks != 0) return;
  node.worker->Tick(node.sm().jobs(), node.core().IsLeader(),
                    static_cast<uint64_t>(now_us_) / 1000);
}

void Simulation::SubmitterTick() {
  if (!JobsOn()) return;
  if (auto command = jobs_.Due(now_us_)) {
    SimNode& target = nodes_[RandomNode()];
    if (target.up) (void)target.driver->Propose(*command);
  }
}

void Simulation::OnJobRunDone(uint64_t run_id) {
  auto it = job_runs_.find(run_id);
  if (it == job_runs_.end()) return;  // the worker was done with it, or died
  JobRun& run = it->second;
  daemon::ChunkOutcome outcome;
  outcome.duration_ms = static_cast<uint64_t>(run.run_us / 1000);
  if (run.killed) {
    outcome.exit_code = -9;
  } else {
    outcome.exit_code = jobs_.RunFails(run.task.job) ? 1 : 0;
    outcome.output = "n" + std::to_string(run.node + 1) + " a" + std::to_string(run.task.attempt);
    jobs_.checker().OnRan(run.node + 1, run.task.job, run.task.start, run.task.attempt,
                          outcome.exit_code);
  }
  trace_.Mix(run_id << 8 | 0x70 | (run.killed ? 1 : 0));
  auto done = std::move(run.done);  // the worker destroys the run (and this entry) in it
  done(outcome);
}

void Simulation::OnJobApplied(SimNode& node, core::Slot slot, const core::Command& command,
                              const sm::KvResult& result) {
  if (!JobsOn()) return;
  jobs_.OnApplied(command, result);
  if (node.worker) node.worker->OnApplied(command.payload, result, node.sm().jobs());
  const std::pair<uint64_t, uint32_t> by{node.id, node.incarnation};
  if (slot > job_slot_) job_slot_ = slot, job_slot_by_ = by;
  if (slot != job_slot_ || by != job_slot_by_ || !sm::IsJobCommand(command.payload)) return;
  if (result.outcome != sm::KvResult::Outcome::kApplied) return;  // a replay: not run again
  const std::optional<sm::JobCommand> decoded = sm::DecodeJobCommand(command.payload);
  if (!decoded) return;
  if (trace_.printing()) {
    static constexpr const char* kKinds[] = {"submit", "claim",  "result",
                                             "cancel", "expire", "beat"};
    trace_.Line(now_us_, std::string("job ") + kKinds[static_cast<int>(decoded->kind) - 0x60] +
                             " n" + std::to_string(decoded->node) + " " + decoded->name + " " +
                             std::to_string(decoded->start) + " a" +
                             std::to_string(decoded->attempt) + " at log time " +
                             std::to_string(decoded->now_ms) + ": " +
                             (result.ok ? "" : "refused ") + result.output);
  }
  if (std::string v = jobs_.checker().OnApplied(*decoded, result); !v.empty()) checker_.Fail(v);
}

void Simulation::SchedulePause() {
  if (jobs_.pause_at_us() != 0) Schedule(jobs_.pause_at_us(), Kind::kPause, 0);
}

void Simulation::Pause(SimNode& node) {
  if (!node.up || healed_) return;
  node.paused_until_us = now_us_ + jobs_.pause_us();
  ++pauses_;
  trace_.Mix(node.id << 40 | 11);
  trace_.Line(now_us_, "n" + std::to_string(node.id) + " pauses until " +
                           std::to_string(node.paused_until_us / 1000) + " ms");
}

bool Simulation::PutOffWhilePaused(const Event& event) {
  SimNode& node = nodes_[event.node];
  if (!node.up || now_us_ >= node.paused_until_us) return false;
  switch (event.kind) {
    case Kind::kDeliver:  // waits in the socket's buffer
    case Kind::kSyncDone:
    case Kind::kCompactDone:
    case Kind::kSnapshotStored:
    case Kind::kJobRunDone:
      Schedule(node.paused_until_us, event.kind, event.node, event.arg, event.arg2);
      return true;
    case Kind::kClientRequest:
    case Kind::kWatchRequest:
      return true;  // dropped: the client or watcher times out and asks another node
    default:
      return false;
  }
}

bool Simulation::JobsDone() const {
  if (!jobs_.Submitted()) return false;
  for (const SimNode& node : nodes_) {
    if (node.up && node.driver && !node.spare && !jobs_.checker().AllEnded(node.sm().jobs())) {
      return false;
    }
  }
  return true;
}

void Simulation::CheckJobsEnd() {
  for (const SimNode& node : nodes_) {
    if (!node.up || !node.driver || node.spare) continue;
    if (std::string v = jobs_.checker().CheckEnd(node.id, node.sm().jobs()); !v.empty()) {
      return checker_.Fail(v);
    }
  }
}

}  // namespace pifleet::sim
