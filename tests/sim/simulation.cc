#include "tests/sim/simulation.h"

#include <algorithm>
#include <utility>

#include "agent/base/assert.h"
#include "agent/store/core_log.h"
#include "tests/sim/describe.h"

namespace pifleet::sim {
namespace {

struct CoreAssertion {
  std::string what;
};

[[noreturn]] void ThrowOnAssert(const char* expression, const char* file, int line,
                                const char* message) {
  throw CoreAssertion{std::string("core assertion failed: ") + expression + " at " + file + ":" +
                      std::to_string(line) + (message ? std::string(": ") + message : "")};
}

FaultParams DrawFaults(core::Rng& rng, Faults faults, bool have_learners) {
  FaultParams p;
  p.delay_min_us = static_cast<int64_t>(rng.Between(50, 500));
  p.delay_max_us = p.delay_min_us + static_cast<int64_t>(rng.Between(100, 5000));
  p.fsync_min_us = static_cast<int64_t>(rng.Between(100, 1000));
  p.fsync_max_us = p.fsync_min_us + static_cast<int64_t>(rng.Between(500, 20000));
  const bool net = faults == Faults::kNet || faults == Faults::kAll;
  const bool crash = faults == Faults::kCrash || faults == Faults::kAll;
  if (net) {
    p.loss_per_million = static_cast<uint32_t>(rng.Between(0, 150000));
    p.dup_per_million = static_cast<uint32_t>(rng.Between(0, 100000));
    p.reorder_per_million = static_cast<uint32_t>(rng.Between(0, 100000));
    p.partitions = true;
  }
  p.crashes = crash;
  p.reconfig = faults == Faults::kAll && have_learners;
  if (crash) {
    p.disk_full = rng.Chance(500000);
    p.bit_flip_restart_per_million = static_cast<uint32_t>(rng.Between(0, 200000));
    p.lose_tail_restart_per_million = static_cast<uint32_t>(rng.Between(0, 500000));
  }
  return p;
}

}  // namespace

Simulation::Simulation(uint64_t seed, const SimOptions& options)
    : seed_(seed),
      options_(options),
      rng_(seed * 0x9e3779b97f4a7c15ULL + 1),
      params_(DrawFaults(rng_, options.steady_commands > 0 ? Faults::kNone : options.faults,
                         options.learners > 0)),
      network_(rng_, params_),
      trace_(options.trace),
      clients_(rng_, options.clients,
               options.steady_commands > 0 ? options.steady_history_ops : SIZE_MAX),
      watchers_(options.steady_commands > 0 ? 0 : options.watchers, options.watch_resume_at_last),
      topics_(options.group_ack_before_process),
      jobs_(seed, options.voters + options.learners,
            params_.crashes && options.jobs && options.steady_commands == 0) {
  client_nodes_ = options.voters + options.learners;
  for (uint32_t i = 0; i < client_nodes_; ++i) {
    (i < options.voters ? config_.voters : config_.learners).push_back(i + 1);
  }
  const uint32_t total = client_nodes_ + (options.steady_commands > 0 ? 1 : 0);
  nodes_.resize(total);
  for (uint32_t i = 0; i < total; ++i) {
    SimNode& node = nodes_[i];
    node.id = i + 1;
    node.spare = i >= client_nodes_;
    node.env = std::make_unique<store::FaultEnv>(seed ^ (uint64_t{node.id} << 56));
    // Clock drift: each node's tick is a little fast or slow (at most 0.5 %).
    node.tick_period_us = 10000 + static_cast<int64_t>(rng_.Between(0, 100)) - 50;
    if (!node.spare) StartNode(node);
    Schedule(static_cast<int64_t>(rng_.Between(0, 9999)), Kind::kTick, i);
  }
}

std::vector<uint64_t> Simulation::NodeIds() const {
  std::vector<uint64_t> ids;
  for (const SimNode& node : nodes_) ids.push_back(node.id);
  return ids;
}

void Simulation::Schedule(int64_t at_us, Kind kind, uint32_t node, uint64_t arg, uint64_t arg2) {
  queue_.push(Event{at_us, next_seq_++, kind, node, arg, arg2});
}

bool Simulation::StartNode(SimNode& node) {
  store::CoreRecovery recovery;
  const Status status = store::RecoverCore(node.env.get(), kSimDataDir,
                                           store::WalOptions{kSimSegmentBytes, node.id}, &recovery);
  if (status.code() == Status::Code::kNoSpace) {
    // A full disk refuses the new segment: the process exits and is started again later, as
    // systemd would; nothing on the disk changed.
    trace_.Line(now_us_, "n" + std::to_string(node.id) + " cannot start: " + status.ToString());
    Schedule(now_us_ + 100000, Kind::kRestart, static_cast<uint32_t>(node.id - 1), 0,
             node.incarnation);
    return false;
  }
  const bool damaged = (flipped_ && node.id == flipped_node_) || node.id == tail_node_;
  if (status.code() == Status::Code::kCorruption && damaged && !node.retired) {
    // The flipped bit is found: the node refuses, as it must, and stays out.
    node.retired = true;
    if (node.id == flipped_node_) ++bounds_.flips_refused;
    trace_.Mix(node.id << 40 | 7);
    trace_.Line(now_us_, "n" + std::to_string(node.id) +
                             " refuses to start and is retired: " + status.ToString());
    return false;
  }
  if (!status.ok()) {
    checker_.Fail("node " + std::to_string(node.id) + " cannot recover: " + status.ToString());
    return false;
  }
  CheckVouched(node, recovery.durable, recovery.snapshot_slot);
  core::CoreOptions core_options;
  core_options.id = node.id;
  for (uint32_t i = 0; i < options_.voters; ++i) {
    core_options.initial_config.voters.push_back(i + 1);
  }
  for (uint32_t i = options_.voters; i < client_nodes_; ++i) {
    core_options.initial_config.learners.push_back(i + 1);
  }
  core_options.seed = seed_ ^ (node.id << 32) ^ (uint64_t{node.incarnation} << 48);
  core_options.batch_commands_max = options_.batching ? core::kBatchCommandsMax : 1;
  core_options.canary = options_.canary;
  node.wal = std::move(recovery.wal);
  node.seams = std::make_unique<SimSeams>(this, &node);
  MakeWatchHub(node);
  StartLeases(node);
  StartJobs(node);
  node::DriverOptions driver_options;
  driver_options.snapshot_every_slots = options_.snapshot_every;
  node.driver = std::make_unique<node::NodeDriver>(
      driver_options, node::Seams{node.wal.get(), node.seams.get(), node.seams.get(),
                                  node.seams.get(), node.seams.get()});
  node.applied = 0;
  node.up = true;
  node.promise_floor = recovery.durable.promised;
  // The restored snapshot and the decisions logged above it are applied before anything else.
  node.driver->Start(core_options, recovery.durable, recovery.snapshot);
  checker_.OnPromise(node.id, node.core().Promised(), node.promise_floor);
  return true;
}

SeedResult Simulation::Run() {
  set_assert_handler(&ThrowOnAssert);
  for (SimClient& client : clients_.clients()) {
    Schedule(static_cast<int64_t>(rng_.Between(0, 20000)), Kind::kClientStart, 0, client.id);
  }
  if (options_.steady_commands == 0) {
    Schedule(static_cast<int64_t>(rng_.Between(50000, 300000)), Kind::kReplay, 0);
  }
  for (uint32_t w = 0; w < watchers_.watchers().size(); ++w) WatchSend(w);
  if (params_.partitions)
    Schedule(static_cast<int64_t>(rng_.Between(50000, 400000)), Kind::kPartition, 0);
  if (params_.crashes) Schedule(static_cast<int64_t>(rng_.Between(50000, 600000)), Kind::kCrash, 0);
  if (params_.disk_full) {
    Schedule(static_cast<int64_t>(rng_.Between(50000, 600000)), Kind::kDiskFull, 0);
  }
  if (params_.reconfig)
    Schedule(static_cast<int64_t>(rng_.Between(100000, 600000)), Kind::kReconfig, 0);
  if (JobsOn()) SchedulePause();
  if (poison_.enabled())
    Schedule(static_cast<int64_t>(poison_.rng().Between(0, 200000)), Kind::kPoison, 0);
  const int64_t heal_us = options_.heal_ms * 1000;
  deadline_us_ = heal_us + options_.liveness_bound_ms * 1000;
  if (options_.steady_commands > 0) {
    deadline_us_ = INT64_MAX;  // set when the load ends
  } else {
    Schedule(heal_us, Kind::kHeal, 0);
  }
  SeedResult result;
  result.seed = seed_;
  try {
    while (!queue_.empty() && !checker_.failed()) {
      Event event = queue_.top();
      queue_.pop();
      now_us_ = event.time_us;
      // After healing the holder is silent: each of its leases must expire, as each request
      // must be answered, within the bound.
      const bool leases_ended = lease_holder_.AllEnded();
      const bool topics_done = !TopicsOn() || TopicsDone();
      const bool jobs_done = !JobsOn() || JobsDone();
      if (healed_ && clients_.AllIdle() && leases_ended && topics_done && jobs_done &&
          (options_.steady_commands == 0 || JoinerCaughtUp())) {
        break;
      }
      if (now_us_ > deadline_us_) {
        checker_.Fail(std::string("liveness: ") +
                      (!leases_ended  ? "a lease not yet expired "
                       : !topics_done ? "the consumer group has objects unprocessed "
                       : !jobs_done   ? "a job has not ended "
                                      : "requests still pending ") +
                      std::to_string(options_.liveness_bound_ms) + " ms after the faults healed");
        break;
      }
      trace_.Mix(static_cast<uint64_t>(event.time_us));
      trace_.Mix(static_cast<uint64_t>(event.kind) << 32 | event.node);
      Step(event);
    }
  } catch (const CoreAssertion& assertion) {
    checker_.Fail(assertion.what);
  }
  set_assert_handler(nullptr);
  if (options_.steady_commands > 0 && !checker_.failed()) CheckSteadyEnd(result);
  if (!checker_.failed() && TopicsOn()) {
    if (std::string v = topics_.CheckEnd(); !v.empty()) checker_.Fail(v);
  }
  if (!checker_.failed() && JobsOn()) CheckJobsEnd();
  if (!checker_.failed() && options_.leaders_max > 0 &&
      leader_ballots_.size() > options_.leaders_max) {
    checker_.Fail(std::to_string(leader_ballots_.size()) + " leaders elected, at most " +
                  std::to_string(options_.leaders_max) + " expected: a live leader was suspected");
  }
  if (!checker_.failed()) CheckLinearizability(result);
  for (const SimNode& node : nodes_) result.fsyncs += node.env->sync_stats().file_syncs;
  result.wal_bytes_max = bounds_.wal_bytes_max;
  result.core_entries_max = bounds_.core_entries_max;
  result.snapshots_taken = bounds_.snapshots_taken;
  result.snapshots_installed = bounds_.snapshots_installed;
  result.disk_full_episodes = bounds_.disk_full_episodes;
  result.bit_flips = bounds_.bit_flips;
  result.flips_refused = bounds_.flips_refused;
  result.tails_lost = bounds_.tails_lost;
  result.replayed = replay_.replayed();
  result.reconfigs_stale = replay_.reconfigs_stale();
  result.violation = checker_.failed();
  result.what = checker_.violation();
  result.committed = clients_.completed();
  result.watch_events = watchers_.events_checked();
  result.watch_restarts = watchers_.restarts();
  result.leases_granted = lease_holder_.granted();
  result.leases_expired = lease_holder_.expired();
  result.lease_reads_served = lease_reads_served_;
  result.lease_reads_declined = lease_reads_declined_;
  result.topic_published = topics_.published();
  result.topic_acked = topics_.acked();
  const JobChecker& jobs = jobs_.checker();
  result.jobs = jobs.jobs();
  result.jobs_failed = jobs.jobs_failed();
  result.job_runs = jobs.runs();
  result.job_backups = jobs.backups();
  result.job_reruns = jobs.reruns();
  result.job_expired = jobs.expired();
  result.job_stale_refused = jobs.stale_refused();
  result.pauses = pauses_;
  result.leaders = leader_ballots_.size();
  result.failovers_us = failovers_us_;
  result.node_messages = node_messages_;
  result.sim_time_us = now_us_;
  result.trace_hash = trace_.hash();
  return result;
}

void Simulation::CheckLinearizability(SeedResult& result) {
  lin::CheckResult check = lin::CheckHistory(clients_.history(), options_.lin_step_budget);
  if (check.undecided) {
    result.lin_undecided = true;
  } else if (!check.linearizable) {
    checker_.Fail("history not linearizable on key " + check.key + ": " + check.explanation);
  }
}

}  // namespace pifleet::sim
