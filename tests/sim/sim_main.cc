// pifleet-sim: runs seeded whole-cluster simulations and their checkers.
// Exit codes: 0 no violation (with --canary: the canary was caught), 1 a violation (with
// --canary: not caught), 2 usage.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "tests/sim/canaries.h"
#include "tests/sim/simulation.h"

namespace {

using pifleet::sim::Faults;

struct Totals {
  uint64_t seeds = 0, violations = 0, committed = 0, messages = 0, undecided = 0, fsyncs = 0;
  uint64_t wal_bytes_max = 0, core_entries_max = 0, snapshots = 0, installs = 0;
  uint64_t disk_full_episodes = 0, bit_flips = 0, flips_refused = 0, tails_lost = 0;
  uint64_t replayed = 0, reconfigs_stale = 0, watch_events = 0, watch_restarts = 0;
  uint64_t leases_granted = 0, leases_expired = 0, lease_reads_served = 0;
  uint64_t lease_reads_declined = 0;
  uint64_t topic_published = 0, topic_acked = 0;
  uint64_t jobs = 0, jobs_failed = 0, job_runs = 0, job_backups = 0, job_reruns = 0;
  uint64_t job_expired = 0, job_stale_refused = 0, pauses = 0, leaders = 0;
  int64_t sim_us = 0;
  std::vector<int64_t> failovers_us;
};

std::string ReplayCommand(uint64_t seed, const pifleet::sim::SimOptions& o,
                          const std::string& faults, const std::string& canary) {
  std::string cmd = "pifleet-sim --seed " + std::to_string(seed) + " --voters " +
                    std::to_string(o.voters) + " --learners " + std::to_string(o.learners) +
                    " --faults " + faults + " --clients " + std::to_string(o.clients);
  if (!o.batching) cmd += " --no-batching";
  if (o.watchers != 2) cmd += " --watchers " + std::to_string(o.watchers);
  if (!o.topics) cmd += " --no-topics";
  if (!o.jobs) cmd += " --no-jobs";
  if (o.snapshot_every != 16) cmd += " --snapshot-every " + std::to_string(o.snapshot_every);
  if (o.steady_commands) cmd += " --steady " + std::to_string(o.steady_commands);
  if (o.fsync_stall_ms) cmd += " --fsync-stall-ms " + std::to_string(o.fsync_stall_ms);
  if (o.leaders_max) cmd += " --leaders-max " + std::to_string(o.leaders_max);
  if (o.failover_p50_ms_max) {
    cmd += " --failover-p50-ms-max " + std::to_string(o.failover_p50_ms_max);
  }
  if (!canary.empty()) cmd += " --canary " + canary;
  return cmd + " --trace";
}

// Prints the distribution of leader failovers (simulated time); returns the median in us (-1:
// no leader crashed).
int64_t PrintFailovers(std::vector<int64_t> us) {
  if (us.empty()) {
    std::printf("failover after a leader crash: no leader crashed\n");
    return -1;
  }
  std::sort(us.begin(), us.end());
  const auto at = [&us](double q) { return double(us[size_t(q * double(us.size() - 1))]) / 1000; };
  std::printf(
      "failover after a leader crash (simulated ms): %zu crashes, min %.1f  p50 %.1f  p90 %.1f  "
      "max %.1f\n",
      us.size(), at(0), at(0.5), at(0.9), at(1));
  return us[(us.size() - 1) / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pifleet-sim: deterministic simulation of a pifleet cluster with fault injection"};
  pifleet::sim::SimOptions options;
  uint64_t seeds = 100, start = 1;
  std::optional<uint64_t> single_seed;
  std::string faults_name = "all", canary_name;
  bool list_canaries = false, no_batching = false, print_hash = false;
  app.add_option("--seeds", seeds, "number of seeds to run")->check(CLI::Range(1ULL, 100000000ULL));
  app.add_option("--start", start, "first seed");
  app.add_option("--seed", single_seed, "run exactly this seed (replay)");
  app.add_option("--voters", options.voters, "voters")->check(CLI::IsMember({3, 5}));
  app.add_option("--learners", options.learners, "learners (non-voting replicas)")
      ->check(CLI::Range(0, 16));
  app.add_option("--faults", faults_name, "fault model")
      ->check(CLI::IsMember({"none", "net", "crash", "all"}));
  app.add_option("--clients", options.clients, "simulated clients")->check(CLI::Range(1, 1000));
  app.add_option("--watchers", options.watchers, "simulated watchers of every key")
      ->check(CLI::Range(0, 100));
  bool no_topics = false;
  app.add_flag("--no-topics", no_topics,
               "no topic publisher and consumer group (tests/sim/topic_actors.h)");
  bool no_jobs = false;
  app.add_flag("--no-jobs", no_jobs,
               "no job submitter and no job workers (tests/sim/job_actors.h)");
  app.add_option("--heal-ms", options.heal_ms, "simulated ms of faults before healing")
      ->check(CLI::Range(100, 600000));
  app.add_option("--snapshot-every", options.snapshot_every,
                 "snapshot every K applied slots and compact the WAL (0: never)");
  app.add_option("--steady", options.steady_commands,
                 "steady mode: no faults, run until N commands are answered, then a new node "
                 "joins and must reach the same state hash");
  app.add_option("--lin-step-budget", options.lin_step_budget,
                 "steps the linearizability search may take per seed before it counts as "
                 "undecided")
      ->check(CLI::Range(1ULL, 1000000000ULL));
  app.add_option("--fsync-stall-ms", options.fsync_stall_ms,
                 "a slow SD card: one disk sync in four takes this many ms")
      ->check(CLI::Range(0, 10000));
  app.add_option("--leaders-max", options.leaders_max,
                 "a seed that elects more leaders than this is a violation (0: no bound)");
  app.add_option("--failover-p50-ms-max", options.failover_p50_ms_max,
                 "the median time from a leader's crash to the next leader, over every seed, "
                 "must not exceed this (exit 1)");
  app.add_option("--canary", canary_name, "switch on a known-unsafe variant (see --list-canaries)");
  app.add_flag("--list-canaries", list_canaries, "list the canaries and exit");
  app.add_flag("--no-batching", no_batching, "one command per slot");
  app.add_flag("--trace", options.trace, "print a readable trace of every event");
  app.add_flag("--trace-hash", print_hash, "print each seed's trace hash");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return e.get_exit_code() == 0 ? code : 2;
  }
  if (list_canaries) {
    for (const auto& info : pifleet::sim::Canaries())
      std::printf("%-20s %s\n", info.name, info.description);
    return 0;
  }
  if (!canary_name.empty()) {
    auto canary = pifleet::sim::CanaryByName(canary_name);
    if (!canary) {
      std::fprintf(stderr, "pifleet-sim: unknown canary '%s' (see --list-canaries)\n",
                   canary_name.c_str());
      return 2;
    }
    options.canary = canary->canary;
    options.stale_reads = canary->stale_reads;
    options.watch_resume_at_last = canary->watch_resume_at_last;
    options.group_ack_before_process = canary->group_ack_before_process;
  }
  options.batching = !no_batching;
  options.topics = !no_topics;
  options.jobs = !no_jobs;
  options.faults = faults_name == "none"    ? Faults::kNone
                   : faults_name == "net"   ? Faults::kNet
                   : faults_name == "crash" ? Faults::kCrash
                                            : Faults::kAll;
  if (single_seed) {
    start = *single_seed;
    seeds = 1;
  }
  Totals totals;
  const auto wall_start = std::chrono::steady_clock::now();
  uint64_t caught_seed = 0;
  for (uint64_t seed = start; seed < start + seeds; ++seed) {
    pifleet::sim::SeedResult result = pifleet::sim::Simulation(seed, options).Run();
    ++totals.seeds;
    totals.committed += result.committed;
    totals.messages += result.node_messages;
    totals.sim_us += result.sim_time_us;
    totals.undecided += result.lin_undecided;
    totals.fsyncs += result.fsyncs;
    totals.wal_bytes_max = std::max(totals.wal_bytes_max, result.wal_bytes_max);
    totals.core_entries_max = std::max(totals.core_entries_max, result.core_entries_max);
    totals.snapshots += result.snapshots_taken;
    totals.installs += result.snapshots_installed;
    totals.disk_full_episodes += result.disk_full_episodes;
    totals.bit_flips += result.bit_flips;
    totals.flips_refused += result.flips_refused;
    totals.tails_lost += result.tails_lost;
    totals.replayed += result.replayed;
    totals.reconfigs_stale += result.reconfigs_stale;
    totals.watch_events += result.watch_events;
    totals.watch_restarts += result.watch_restarts;
    totals.leases_granted += result.leases_granted;
    totals.leases_expired += result.leases_expired;
    totals.lease_reads_served += result.lease_reads_served;
    totals.lease_reads_declined += result.lease_reads_declined;
    totals.topic_published += result.topic_published;
    totals.topic_acked += result.topic_acked;
    totals.jobs += result.jobs;
    totals.jobs_failed += result.jobs_failed;
    totals.job_runs += result.job_runs;
    totals.job_backups += result.job_backups;
    totals.job_reruns += result.job_reruns;
    totals.job_expired += result.job_expired;
    totals.job_stale_refused += result.job_stale_refused;
    totals.pauses += result.pauses;
    totals.leaders += result.leaders;
    totals.failovers_us.insert(totals.failovers_us.end(), result.failovers_us.begin(),
                               result.failovers_us.end());
    if (options.steady_commands > 0 && !result.violation) {
      std::printf(
          "steady: %llu commands answered, joiner caught up at slot %llu, state hash "
          "%016llx on every node\n",
          (unsigned long long)result.committed, (unsigned long long)result.final_slot,
          (unsigned long long)result.final_state_hash);
    }
    if (print_hash)
      std::printf("seed %llu trace %016llx\n", (unsigned long long)seed,
                  (unsigned long long)result.trace_hash);
    if (!result.violation) continue;
    ++totals.violations;
    if (!canary_name.empty()) {
      std::printf("canary %s caught at seed %llu: %s\n", canary_name.c_str(),
                  (unsigned long long)seed, result.what.c_str());
      caught_seed = seed;
      break;
    }
    std::printf("VIOLATION seed %llu: %s\n  replay: %s\n", (unsigned long long)seed,
                result.what.c_str(),
                ReplayCommand(seed, options, faults_name, canary_name).c_str());
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::printf(
      "seeds %llu  violations %llu  committed %llu  msgs/cmd %.2f  fsyncs/cmd %.3f  "
      "cmds/sim-s %.1f  seeds/s %.1f  lin-undecided %llu  wall %.1fs\n",
      (unsigned long long)totals.seeds, (unsigned long long)totals.violations,
      (unsigned long long)totals.committed,
      totals.committed ? double(totals.messages) / double(totals.committed) : 0.0,
      totals.committed ? double(totals.fsyncs) / double(totals.committed) : 0.0,
      totals.sim_us ? double(totals.committed) * 1e6 / double(totals.sim_us) : 0.0,
      wall_s > 0 ? double(totals.seeds) / wall_s : 0.0, (unsigned long long)totals.undecided,
      wall_s);
  std::printf(
      "storage: snapshots %llu  installed from peers %llu  max WAL %llu bytes (bound %llu)  "
      "max core entries %llu\n",
      (unsigned long long)totals.snapshots, (unsigned long long)totals.installs,
      (unsigned long long)totals.wal_bytes_max,
      (unsigned long long)(options.snapshot_every
                               ? pifleet::sim::WalBytesBound(options.snapshot_every)
                               : 0),
      (unsigned long long)totals.core_entries_max);
  std::printf(
      "disk faults: disk-full episodes %llu  bits flipped at rest %llu  of them refused %llu  "
      "synced WAL tails lost %llu\n",
      (unsigned long long)totals.disk_full_episodes, (unsigned long long)totals.bit_flips,
      (unsigned long long)totals.flips_refused, (unsigned long long)totals.tails_lost);
  std::printf(
      "replays: old commands and reconfigurations proposed again %llu  "
      "reconfigurations applied stale (per node) %llu\n",
      (unsigned long long)totals.replayed, (unsigned long long)totals.reconfigs_stale);
  std::printf(
      "watches: events received and checked %llu  watchers restarted (cursor held by no "
      "node) %llu\n",
      (unsigned long long)totals.watch_events, (unsigned long long)totals.watch_restarts);
  std::printf("leaders elected: %llu in %llu seeds\n", (unsigned long long)totals.leaders,
              (unsigned long long)totals.seeds);
  const int64_t failover_p50_us = PrintFailovers(totals.failovers_us);
  std::printf("leases: granted %llu  expired %llu (never before their TTL)\n",
              (unsigned long long)totals.leases_granted, (unsigned long long)totals.leases_expired);
  std::printf(
      "lease reads: served under a leader lease %llu  declined (read through the log) %llu\n",
      (unsigned long long)totals.lease_reads_served,
      (unsigned long long)totals.lease_reads_declined);
  std::printf("topics: objects published %llu  acknowledged by the group %llu (each once)\n",
              (unsigned long long)totals.topic_published, (unsigned long long)totals.topic_acked);
  std::printf(
      "jobs: submitted %llu  failed (retries spent) %llu  runs %llu  backups %llu  re-runs %llu  "
      "leases expired %llu  stale results refused %llu  nodes paused past a lease %llu\n",
      (unsigned long long)totals.jobs, (unsigned long long)totals.jobs_failed,
      (unsigned long long)totals.job_runs, (unsigned long long)totals.job_backups,
      (unsigned long long)totals.job_reruns, (unsigned long long)totals.job_expired,
      (unsigned long long)totals.job_stale_refused, (unsigned long long)totals.pauses);
  if (!canary_name.empty()) {
    if (caught_seed == 0)
      std::printf("canary %s NOT caught in %llu seeds\n", canary_name.c_str(),
                  (unsigned long long)seeds);
    return caught_seed != 0 ? 0 : 1;
  }
  if (options.failover_p50_ms_max > 0 && failover_p50_us > options.failover_p50_ms_max * 1000) {
    std::printf("FAILOVER: the median %.1f ms is above the bound of %lld ms\n",
                double(failover_p50_us) / 1000, (long long)options.failover_p50_ms_max);
    return 1;
  }
  return totals.violations == 0 ? 0 : 1;
}
