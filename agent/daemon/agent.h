// `pifleet agent`: one node. One Asio event loop feeds the node driver (agent/node: the loop
// around the core that the simulator runs too) with ticks, datagrams and client requests; the
// agent is the driver's transport and listener, and its WAL syncs, compaction and snapshot files
// run on the WalWorker and SnapshotWriter threads, never on the loop.
//
// The Agent itself only wires: the sockets, the seal, the driver and the loop. Each job is a
// part of its own that sees the agent through AgentContext (agent_context.h):
//   ClientRequests  client requests through the log and their waiters (client_requests.h)
//   OwnProposals    the agent's own commands and configurations (own_proposals.h)
//   Autopilot       voters, leave, this node's members row, removal (autopilot.h)
//   Joiner          joining, both ends (joiner.h)
//   KeyRotation     the keyring and its rotation through the log (key_rotation.h)
//   NodeLeds        the LEDs, the probes and identify (node_leds.h, over agent_hal.h)
//   Peers           addresses and liveness of the other nodes (peers.h)
//   LeaseRequests   lease commands, the lease list and the leader's expiries (lease_requests.h)
//   JobHost         this node's job worker and the job requests (job_host.h)
//   WatchHub        watches, served from this node's applied state (watch_hub.h)
//   ClusterSettings the runtime settings, `pifleet config`, applied here (cluster_settings.h)
// Its own files: agent_start.cc (start-up), agent_loop.cc (ticks, stop), agent_net.cc
// (datagrams), agent_dispatch.cc (the one switch over client requests), agent_node_events.cc
// (what the driver reports), agent_status.cc (status, members, metrics), discovery.cc (beacons).
#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/core.h"
#include "agent/daemon/agent_context.h"
#include "agent/daemon/autopilot.h"
#include "agent/daemon/client_requests.h"
#include "agent/daemon/cluster_settings.h"
#include "agent/daemon/config.h"
#include "agent/daemon/fleet_json.h"
#include "agent/daemon/job_host.h"
#include "agent/daemon/joiner.h"
#include "agent/daemon/key_rotation.h"
#include "agent/daemon/lease_read_requests.h"
#include "agent/daemon/lease_requests.h"
#include "agent/daemon/log.h"
#include "agent/daemon/metrics.h"
#include "agent/daemon/metrics_http.h"
#include "agent/daemon/node_leds.h"
#include "agent/daemon/notify.h"
#include "agent/daemon/own_proposals.h"
#include "agent/daemon/peers.h"
#include "agent/daemon/snapshot_writer.h"
#include "agent/daemon/status_report.h"
#include "agent/daemon/wal_worker.h"
#include "agent/daemon/watch_hub.h"
#include "agent/net/beacon_socket.h"
#include "agent/net/udp_socket.h"
#include "agent/node/driver.h"
#include "agent/sm/state_machine.h"
#include "agent/store/data_dir_lock.h"
#include "agent/store/node_meta.h"
#include "agent/store/wal.h"
#include "agent/wire/codec.h"
#include "agent/wire/fragments.h"
#include "agent/wire/seal.h"

namespace pifleet::daemon {

class Agent : private node::Transport, private node::NodeEvents, private AgentContext {
 public:
  // Every file the agent touches goes through env (PosixEnv in main; a fault-injecting Env in
  // tests), which must outlive the agent.
  Agent(AgentConfig config, Logger* logger, store::Env* env);
  ~Agent() override;
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Opens the data dir, keys, node.meta (epoch bumped and synced) and the WAL, binds the socket.
  Status Open();
  // Runs until SIGTERM or SIGINT (exit 0) or a fatal storage error (exit 1).
  int Run();

 private:
  // Start-up (agent_start.cc).
  Status ResolveAddresses();
  Status OpenListeners();  // the peer socket, discovery, /metrics
  Status LoadNodeMeta();
  Status OpenWal(core::DurableState* durable);
  Status ChooseCluster();  // rejoin from cluster.meta, seed a new cluster, or join
  void StartCore(const core::Config& initial, const core::DurableState& durable);
  // Event loop (agent_loop.cc).
  void RunDueTicks();
  // Waits until wake_at_ for a handler, then runs it and those ready after it, up to
  // kBurstHandlersMax, as one burst.
  void RunBurst();
  // Logs a wake kLoopLateWarnMs or more after the one planned (PlanWake): a handler, or the
  // machine, held the loop that long.
  void WarnIfLate(std::chrono::steady_clock::time_point now);
  void PlanWake();  // wake_at_: the first tick that may have work
  uint64_t TicksUntilDue() const;
  uint64_t WatchdogPeriodTicks() const;  // 0: no watchdog
  void OnTick();
  void RunMaintenance();  // once every kMaintenanceTicks
  void Stop(int exit_code);
  void NotifyReadyOnceMember();
  // AgentContext: what the parts see (agent_loop.cc).
  uint64_t ticks() const override { return ticks_; }
  core::NodeId node_id() const override { return meta_.node_id; }
  const core::Core* core() const override { return driver_ ? driver_->core() : nullptr; }
  const sm::StateMachine& state_machine() const override { return driver_->state_machine(); }
  Logger& logger() override { return *log_; }
  Status Propose(const core::Command& command) override { return driver_->Propose(command); }
  void Post(std::function<void()> fn) override { asio::post(io_, std::move(fn)); }
  // What the node driver tells the agent (agent_node_events.cc).
  void Send(const core::Envelope& envelope) override;
  void OnFatal(const Status& status) override;
  void OnProblem(Problem problem, const Status& status) override;
  void OnDiskFullChanged(bool full, const Status& status) override;
  void OnMessagesSent(const std::vector<core::Envelope>& messages) override;
  void OnCommandApplied(core::Slot slot, const core::Command& command,
                        const sm::KvResult& result) override;
  void OnReconfigApplied(core::Slot slot, const core::Command& command, bool took_effect) override;
  void AfterDecision(const core::Decision& decision) override;
  void OnInstalled(core::Slot slot, bool pulled) override;
  void OnSnapshotStored(const node::SnapshotResult& result) override;
  void OnSnapshotSuperseded(core::Slot slot, core::Slot by_slot) override;
  void OnCompacted(core::Slot below_slot, size_t segments_removed) override;
  // Network (agent_net.cc).
  void OnDatagram(std::span<const uint8_t> datagram, const net::UdpAddress& from);
  void OnEnvelope(const core::Envelope& envelope, uint64_t sender, const net::UdpAddress& from);
  void SendToNode(const core::Envelope& envelope);
  void SendTo(const net::UdpAddress& to, const wire::WireMessage& message) override;
  void CountDrop(wire::DropReason reason, const net::UdpAddress& from);
  bool FromRemovedNode(const core::Envelope& envelope);  // true: dropped
  // Client requests and replies: the one dispatch (agent_dispatch.cc).
  void OnClientRequest(uint64_t sender, const wire::ClientRequest& request,
                       const net::UdpAddress& from);
  void OnClientReply(uint64_t sender, const wire::ClientReply& reply, const net::UdpAddress& from);
  // What this node shows (agent_status.cc).
  sm::Member SelfMember() const;
  std::string RoleName() const;
  StatusReport BuildStatus() const;
  void RefreshStatusLine();
  wire::MembersBody BuildMembers() const;  // needs a core
  void UpdateMetrics();
  // The local HTTP listener's metrics and fleet page JSON; leader changes (agent_page.cc).
  std::string RenderHttp(HttpResource resource);
  void ObserveLeader();
  // LAN discovery (discovery.cc).
  Status StartDiscovery();
  void OnBeaconDatagram(std::span<const uint8_t> datagram, const net::UdpAddress& from);
  void SendBeaconIfDue();
  uint64_t BeaconPeriodTicks() const;  // 0: this node sends none
  void UpdateNetMetrics();             // /metrics listener and discovery figures for UpdateMetrics
  void UpdateTimingMetrics();          // when decisions were sent and applied, for UpdateMetrics

  AgentConfig config_;
  Logger* log_;
  store::Env* const env_;
  // <data dir>/LOCK, held for the agent's life; declared first of the data-dir state so it is
  // released last (store/data_dir_lock.h).
  std::unique_ptr<store::FileLock> data_dir_lock_;
  asio::io_context io_;
  asio::signal_set signals_{io_, SIGTERM, SIGINT};
  std::chrono::steady_clock::time_point next_tick_;  // when the next tick is due
  std::chrono::steady_clock::time_point wake_at_;    // when the loop's wait ends (PlanWake)
  std::optional<std::chrono::steady_clock::time_point> late_warned_;  // the last one logged
  uint64_t ticks_ = 0;
  int exit_code_ = 0;

  store::NodeMeta meta_;
  std::unique_ptr<wire::Sealer> sealer_;
  std::unique_ptr<wire::Opener> opener_;
  wire::Reassembler reassembler_;
  uint32_t next_message_id_ = 1;
  wire::DropCounters decode_drops_{};
  net::UdpSocket socket_{io_};
  net::UdpAddress listen_address_;

  std::unique_ptr<store::Wal> wal_;
  std::unique_ptr<WalWorker> wal_worker_;            // syncs and compaction, off the loop
  std::unique_ptr<SnapshotWriter> snapshot_writer_;  // snap/ files, off the loop
  bool snapshot_no_space_logged_ = false;            // until a snapshot is stored again
  // The one loop around the core (agent/node); its core is null while joining.
  std::unique_ptr<node::NodeDriver> driver_;
  core::Config initial_config_;  // slot 1's configuration (cluster.meta)
  core::DurableState durable_;   // recovered from the WAL, for a core started late
  std::shared_ptr<const std::string> restored_snapshot_;  // newest snap/ blob at start
  bool ready_notified_ = false;
  // Wall clock (us since the Unix epoch) when the newest applied slot was applied, and when
  // this node, as leader, handed the first datagram of its newest decision to the kernel (0:
  // none yet): /metrics, so tests/bench can time a decision's arrival on every node.
  uint64_t applied_unix_us_ = 0;
  core::Slot decision_sent_slot_ = 0;
  uint64_t decision_sent_unix_us_ = 0;

  // The parts, in the order they depend on each other.
  Peers peers_;
  OwnProposals own_;
  ClientRequests clients_;
  Autopilot autopilot_;
  Joiner joiner_;
  KeyRotation keys_;
  NodeLeds leds_;
  LeaseRequests leases_;
  LeaseReadRequests lease_reads_{*this};
  JobHost jobs_;  // its worker kills a running chunk when the agent goes
  ClusterSettings settings_;
  WatchHub watch_hub_{[this](const net::UdpAddress& to, uint64_t client_id, uint64_t sequence,
                             std::string payload) {
    SendTo(to,
           wire::ClientReply{client_id, sequence, wire::ReplyCode::kOk, std::move(payload), ""});
  }};

  Notifier notifier_ = Notifier::FromEnvironment();
  Metrics metrics_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;  // null when metrics_listen is ""
  LeaderHistory leader_history_;                     // for the fleet page
  std::unique_ptr<net::BeaconSocket> beacons_;       // null without --discover
  uint64_t beacons_heard_ = 0;
};

// The cluster id every node of `cluster_name` shares (FNV-1a of the name, never 0).
uint64_t ClusterIdFor(const std::string& cluster_name);

}  // namespace pifleet::daemon
