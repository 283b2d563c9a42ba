// One seeded run of a whole cluster on one thread: nodes, simulated network and disks,
// clients, faults, and the checkers. The same seed and options always give the same trace.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/core/rng.h"
#include "tests/sim/checker.h"
#include "tests/sim/clients.h"
#include "tests/sim/job_actors.h"
#include "tests/sim/lease_holder.h"
#include "tests/sim/network.h"
#include "tests/sim/poison.h"
#include "tests/sim/session_replay.h"
#include "tests/sim/sim_node.h"
#include "tests/sim/sim_options.h"
#include "tests/sim/topic_actors.h"
#include "tests/sim/trace.h"
#include "tests/sim/watchers.h"

namespace pifleet::sim {

// How long a simulated burst stays open: the network's default least delay (sim_options.h), so
// a burst holds the deliveries that arrive together, as a socket's queue at a wake does, and
// rarely more (the faults draw least delays of 50 to 500 us).
inline constexpr int64_t kBurstUs = 100;
inline constexpr uint64_t kJoinerClientId = 1'000'001;  // the spare node's join request

struct SeedResult {
  uint64_t seed = 0;
  bool violation = false;
  bool lin_undecided = false;
  std::string what;
  uint64_t committed = 0;      // client operations answered
  uint64_t node_messages = 0;  // datagrams sent between distinct nodes
  int64_t sim_time_us = 0;
  uint64_t trace_hash = 0;
  uint64_t fsyncs = 0;            // fdatasync calls on every node's disk (WAL and snapshots)
  uint64_t wal_bytes_max = 0;     // the largest WAL any node held at any time
  uint64_t core_entries_max = 0;  // the most decisions + accepted values a core held
  uint64_t snapshots_taken = 0;
  uint64_t snapshots_installed = 0;  // pulled from a peer, not counting restarts
  uint64_t disk_full_episodes = 0;   // a node's sync failed with NoSpace (then recovered)
  uint64_t bit_flips = 0;            // bits flipped at rest before a restart
  uint64_t flips_refused = 0;        // of those, restarts that refused with Corruption
  uint64_t tails_lost = 0;           // restarts whose newest synced WAL records were cut off
  uint64_t replayed = 0;             // old commands and reconfigurations proposed again
  uint64_t reconfigs_stale = 0;      // reconfigurations applied without effect (per node)
  uint64_t watch_events = 0;         // events the watchers received, each checked
  uint64_t watch_restarts = 0;       // watchers whose cursor no node held any more
  uint64_t leases_granted = 0;       // to the lease holder
  uint64_t leases_expired = 0;
  uint64_t lease_reads_served = 0;    // client reads answered under a leader lease
  uint64_t lease_reads_declined = 0;  // of those asked for, sent through the log instead
  uint64_t topic_published = 0;       // objects the simulated publisher published
  uint64_t topic_acked = 0;           // of them, acknowledged by the simulated group
  uint64_t jobs = 0;                  // submitted (tests/sim/job_actors.h)
  uint64_t jobs_failed = 0;           // of them, failed (a chunk failed 1 + retries times)
  uint64_t job_runs = 0;              // runs granted by claims
  uint64_t job_backups = 0;           // of them, backup runs of a chunk with an active run
  uint64_t job_reruns = 0;            // of them, runs of a chunk whose earlier runs were all fenced
  uint64_t job_expired = 0;           // leases that expired
  uint64_t job_stale_refused = 0;     // results of fenced runs refused
  uint64_t pauses = 0;                // nodes paused longer than a lease
  uint64_t leaders = 0;               // ballots elected (that sent accepts)
  std::vector<int64_t> failovers_us;  // a leader's crash to the next ballot's first accept
  core::Slot final_slot = 0;          // steady mode: the slot every node ended at
  uint64_t final_state_hash = 0;      // steady mode: the state hash every node ended with
};

class Simulation {
 public:
  Simulation(uint64_t seed, const SimOptions& options);
  SeedResult Run();

 private:
  friend class SimSeams;     // the driver's seams feed the checkers and schedule disk events
  friend class SimChunkRun;  // simulation_jobs.cc: a simulated chunk run

  enum class Kind : uint8_t {
    kTick,
    kDeliver,
    kSyncDone,
    kCompactDone,
    kSnapshotStored,
    kCrash,
    kRestart,
    kDiskFull,
    kDiskSpace,
    kPartition,
    kReconfig,
    kHeal,
    kClientStart,
    kClientRequest,
    kClientTimeout,
    kClientReply,
    kReplay,        // an old client command proposed again, and sometimes session expiry
    kPoison,        // poison.cc: a malformed proposal
    kWatchRequest,  // simulation_watch.cc: a watcher's pull reaches a node
    kWatchReply,
    kWatchTimeout,
    kJobRunDone,  // simulation_jobs.cc: a simulated chunk run ends (arg: its id)
    kPause,       // simulation_jobs.cc: a node stalls for longer than a lease
    kBurstEnd,    // the end of a node's burst of deliveries (bursts_)
  };
  struct Event {
    int64_t time_us;
    uint64_t seq;
    Kind kind;
    uint32_t node;
    uint64_t arg;  // kind-specific
    uint64_t arg2;
    bool operator>(const Event& other) const {
      return time_us != other.time_us ? time_us > other.time_us : seq > other.seq;
    }
  };

  void Schedule(int64_t at_us, Kind kind, uint32_t node, uint64_t arg = 0, uint64_t arg2 = 0);
  void Step(const Event& event);
  bool StartNode(SimNode& node);
  // A disk call of node's current incarnation completes after a simulated fsync latency (up to
  // `latency_factor` times the longest).
  void ScheduleDiskEvent(const SimNode& node, Kind kind, uint64_t arg, int latency_factor = 1);
  void Vouch(SimNode& node, const core::Envelope& envelope);
  void CheckVouched(const SimNode& node, const core::DurableState& durable,
                    core::Slot snapshot_slot);
  void NoteBounds(const SimNode& node);
  void StartJoiner();
  void ProposeJoiner();  // the joiner as a learner of the newest configuration
  bool JoinerCaughtUp() const;
  void CheckSteadyEnd(SeedResult& result);
  void Send(const core::Envelope& envelope, uint32_t incarnation);
  void OnReconfigApplied(const SimNode& node, core::Slot slot, const core::Command& command,
                         bool took_effect);
  void Reply(const SimNode& node, uint64_t client_id, uint64_t sequence,
             const sm::KvResult& result);
  void Crash(SimNode& node);
  void Restart(SimNode& node);
  void FillDisk(SimNode& node);
  void FreeDisk(SimNode& node);
  void FlipBitAtRest(SimNode& node);
  void LoseSyncedTail(SimNode& node);
  void CheckBallotValue(const core::Envelope& envelope);
  void ClientSend(SimClient& client);
  void OnClientRequest(SimNode& node, uint64_t client_id, uint64_t sequence);
  // Answers the node's lease reads that its driver hands out; declined ones go through the log.
  void ServeLeaseReads(SimNode& node);
  void ProposeReconfig();
  void ReplayOldCommand();
  void ProposePoison();
  void Heal();
  void CheckLinearizability(SeedResult& result);
  // simulation_watch.cc
  void MakeWatchHub(SimNode& node);
  void OnKvApplied(SimNode& node);
  void WatchSend(uint32_t watcher);
  void OnWatchEvent(const Event& event);
  // simulation_leases.cc
  void StartLeases(SimNode& node);
  void LeaseTick(SimNode& node);
  void HolderTick();  // on the first node's timer, whether that node is up or not
  void OnLeaseApplied(SimNode& node, const core::Command& command, const sm::KvResult& result);
  // simulation_topics.cc
  bool TopicsOn() const { return options_.topics && options_.steady_commands == 0; }
  void TopicTick();  // on the first node's timer, whether that node is up or not
  void OnTopicApplied(const core::Command& command, const sm::KvResult& result);
  bool TopicsDone() const;
  // simulation_jobs.cc
  bool JobsOn() const { return options_.jobs && options_.steady_commands == 0 && jobs_.on(); }
  void StartJobs(SimNode& node);  // the node's JobWorker, with simulated chunk runs
  void JobTick(SimNode& node);
  void SubmitterTick();  // on the first node's timer, whether that node is up or not
  void OnJobApplied(SimNode& node, core::Slot slot, const core::Command& command,
                    const sm::KvResult& result);
  void OnJobRunDone(uint64_t run_id);
  void SchedulePause();  // in some seeds, once
  void Pause(SimNode& node);
  // A paused node's events wait until it resumes (ticks skip); true when `event` was put off.
  bool PutOffWhilePaused(const Event& event);
  bool JobsDone() const;
  void CheckJobsEnd();
  uint32_t RandomNode() { return static_cast<uint32_t>(rng_.Between(0, client_nodes_ - 1)); }
  std::vector<uint64_t> NodeIds() const;

  uint64_t seed_;
  // In odd seeds a delivery opens a burst (core.h, BeginBurst) that the node's next
  // kBurstUs of deliveries join, as the agent's loop does with the datagrams ready at a wake.
  const bool bursts_ = seed_ % 2 == 1;
  SimOptions options_;
  core::Rng rng_;
  FaultParams params_;
  Network network_;
  Trace trace_;
  SafetyChecker checker_;
  ClientPool clients_;
  SessionReplay replay_;
  PoisonSource poison_{seed_};
  WatcherPool watchers_;
  LeaseHolder lease_holder_;
  TopicActors topics_;
  JobActors jobs_;
  asio::io_context job_io_;  // never run: the JobWorker's runner is simulated
  struct JobRun {
    uint32_t node = 0;  // index
    daemon::ChunkTask task;
    std::function<void(daemon::ChunkOutcome)> done;
    int64_t run_us = 0;
    bool killed = false;
  };
  std::map<uint64_t, JobRun> job_runs_;  // by id, while its ChunkRun lives
  uint64_t next_job_run_ = 0;
  // The checker sees each slot's job commands once: from the first node incarnation to apply it.
  core::Slot job_slot_ = 0;
  std::pair<uint64_t, uint32_t> job_slot_by_{0, 0};
  uint64_t pauses_ = 0;
  std::unordered_map<uint64_t, std::string> watch_payloads_;  // by event seq, in flight
  std::vector<SimNode> nodes_;
  core::Config config_;  // the latest configuration decided, as the admin sees it
  core::Slot config_slot_ = 0;
  // The first slot config_ governs: what the admin's reconfigurations name as `replaces`.
  core::Slot ConfigFirstSlot() const {
    return config_slot_ == 0 ? 1 : config_slot_ + core::kWindowSlots;
  }
  uint64_t joiner_sequence_ = 0;
  uint64_t admin_sequence_ = 0;
  uint64_t lease_read_ids_ = 0;
  std::map<uint64_t, uint64_t> lease_redirected_;  // client id -> the sequence sent to a leader
  uint64_t lease_reads_served_ = 0;
  uint64_t lease_reads_declined_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  std::unordered_map<uint64_t, core::Envelope> in_flight_;
  std::unordered_map<uint64_t, sm::KvResult> replies_;
  uint64_t next_seq_ = 0;
  int64_t now_us_ = 0;
  bool healed_ = false;
  int64_t deadline_us_ = 0;
  uint64_t node_messages_ = 0;
  uint32_t client_nodes_ = 0;  // nodes clients talk to (not the spare)
  SeedResult bounds_;          // wal / core maxima and snapshot counts, gathered as it runs
  bool flipped_ = false;       // a bit flip at rest has happened in this run
  core::NodeId flipped_node_ = 0;
  core::NodeId tail_node_ = 0;  // the node that lost a synced WAL tail (one per run)
  // Every value proposed per (slot, ballot): a ballot must never carry two values for a slot.
  std::map<std::pair<core::Slot, core::Ballot>, uint64_t> accept_values_;
  std::set<core::Ballot> leader_ballots_;  // every ballot that sent accepts
  int64_t leader_crashed_us_ = -1;         // a leader crashed then; no ballot since (-1: none)
  std::vector<int64_t> failovers_us_;
};

}  // namespace pifleet::sim
