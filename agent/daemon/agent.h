// `pifleet agent`: one node. One Asio event loop feeds the node driver (agent/node: the loop
// around the core that the simulator runs too) with ticks, datagrams and client requests; the
// agent is the driver's transport and listener, and its WAL syncs, compaction and snapshot files
// run on the WalWorker and SnapshotWriter threads, never on the loop.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/core/core.h"
#include "agent/daemon/agent_hal.h"
#include "agent/daemon/config.h"
#include "agent/daemon/internal_session.h"
#include "agent/daemon/job_worker.h"
#include "agent/daemon/lease_clock.h"
#include "agent/daemon/log.h"
#include "agent/daemon/metrics.h"
#include "agent/daemon/metrics_http.h"
#include "agent/daemon/notify.h"
#include "agent/daemon/snapshot_writer.h"
#include "agent/daemon/status_report.h"
#include "agent/daemon/wal_worker.h"
#include "agent/daemon/watch_hub.h"
#include "agent/net/beacon_socket.h"
#include "agent/net/udp_socket.h"
#include "agent/node/driver.h"
#include "agent/sm/state_machine.h"
#include "agent/store/data_dir_lock.h"
#include "agent/store/disk_space.h"
#include "agent/store/node_meta.h"
#include "agent/store/wal.h"
#include "agent/wire/codec.h"
#include "agent/wire/fragments.h"
#include "agent/wire/seal.h"

namespace pifleet::daemon {

class Agent : private node::Transport, private node::NodeEvents {
 public:
  // Every file the agent touches goes through env (PosixEnv in main; a fault-injecting Env in
  // tests), which must outlive the agent.
  Agent(AgentConfig config, Logger* logger, store::Env* env);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Opens the data dir, keys, node.meta (epoch bumped and synced) and the WAL, binds the socket.
  Status Open();
  // Runs until SIGTERM or SIGINT (exit 0) or a fatal storage error (exit 1).
  int Run();

 private:
  struct WaitingClient {
    net::UdpAddress address;
    uint64_t expires_tick;
    uint64_t client_id = 0;  // the request's, for the reply (the command carries the session)
    wire::ClientOp op = wire::ClientOp::kKv;
  };

  // Start-up (agent_start.cc).
  Status LoadKeys();
  Status LoadNodeMeta();
  Status OpenWal(core::DurableState* durable);
  void StartCore(const core::Config& initial, const core::DurableState& durable);
  const core::Core* core() const { return driver_ ? driver_->core() : nullptr; }
  const sm::StateMachine& state_machine() const { return driver_->state_machine(); }
  // Event loop (agent_loop.cc).
  void ScheduleTick();
  void OnTick();
  void Stop(int exit_code);
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
  void RefreshStatusLine();
  void NotifyReadyOnceMember();
  // Network (agent_net.cc).
  void OnDatagram(std::span<const uint8_t> datagram, const net::UdpAddress& from);
  void SendToNode(const core::Envelope& envelope);
  void SendTo(const net::UdpAddress& to, const wire::WireMessage& message);
  void CountDrop(wire::DropReason reason, const net::UdpAddress& from);
  bool FromRemovedNode(const core::Envelope& envelope);  // true: dropped
  std::optional<net::UdpAddress> AddressOf(core::NodeId node);
  // Clients, joining, autopilot (agent_clients.cc).
  void OnClientRequest(uint64_t sender, const wire::ClientRequest& request,
                       const net::UdpAddress& from);
  void OnClientReply(uint64_t sender, const wire::ClientReply& reply, const net::UdpAddress& from);
  void Reply(const net::UdpAddress& to, const wire::ClientRequest& request, wire::ReplyCode code,
             std::string payload, std::string error = "");
  void HandleJoin(const wire::ClientRequest& request, const net::UdpAddress& from);
  void SendJoinRequests();
  void WarnIfJoinUnanswered();  // no answer for a few seconds: likely a wrong key or cluster
  void ProposeInternal(core::Command command);
  // Client sessions (agent_sessions.cc).
  void ProposeForClient(const wire::ClientRequest& request, const net::UdpAddress& from,
                        core::Command command);
  void HandleRegister(const wire::ClientRequest& request, const net::UdpAddress& from);
  void HandleKv(const wire::ClientRequest& request, const net::UdpAddress& from);
  void HandleKvTxn(const wire::ClientRequest& request, const net::UdpAddress& from);
  void HandleLocalGet(const wire::ClientRequest& request, const net::UdpAddress& from);
  // Leases (agent_leases.cc).
  void HandleLease(const wire::ClientRequest& request, const net::UdpAddress& from);
  void HandleLeaseList(const wire::ClientRequest& request, const net::UdpAddress& from);
  void ProposeLeaseExpiryIfDue();
  void OnClientCommandApplied(const core::Command& command, const sm::KvResult& result);
  void PumpInternalSession();
  void ProposeSessionExpiryIfDue();
  void ProposeConfig(const core::Config& config);
  void RunAutopilot();
  void RecordRemoval();  // writes kRemovedFileName
  sm::Member SelfMember() const;
  StatusReport BuildStatus() const;
  std::string MembersPayload() const;
  void UpdateMetrics();
  std::string RoleName() const;
  // Jobs (agent_jobs.cc; the worker itself is JobWorker).
  void StartJobWorker();
  void TickJobs();
  void HandleJob(const wire::ClientRequest& request, const net::UdpAddress& from);
  void HandleJobQuery(const wire::ClientRequest& request, const net::UdpAddress& from);
  // LEDs and identify (agent_leds.cc; the hardware itself is AgentHal).
  hal::NodeView LedView(uint64_t now_ms) const;
  void NoteHeartbeatsSent(const std::vector<core::Envelope>& messages);
  void HandleIdentify(const wire::ClientRequest& request, const net::UdpAddress& from);
  // Keyring rotation through the log (agent_keys.cc).
  std::string KeyringPath() const;
  Status LoadPersistedKeyring(bool* loaded);
  Status SaveKeyring();
  std::vector<core::NodeId> ConfigMembers() const;
  std::string KeyListPayload() const;
  void HandleKeyRequest(const wire::ClientRequest& request, const net::UdpAddress& from);
  // After a key command and after a snapshot install: the state machine's cluster keyring
  // becomes keyring_ when it changed in a later slot than keyring_applied_slot_.
  void AdoptClusterKeys();
  void ReportKeys(bool changed);
  void NoteClientKey(const net::UdpAddress& from, uint8_t key_id);
  std::optional<uint8_t> ReplyKeyFor(const net::UdpAddress& to) const;
  // LAN discovery (discovery.cc).
  Status StartDiscovery();
  void OnBeaconDatagram(std::span<const uint8_t> datagram, const net::UdpAddress& from);
  void SendBeaconIfDue();
  // Keyring, /metrics listener and discovery figures for UpdateMetrics (discovery.cc).
  void UpdateNetMetrics();

  AgentConfig config_;
  Logger* log_;
  store::Env* const env_;
  // <data dir>/LOCK, held for the agent's life; declared first of the data-dir state so it is
  // released last (store/data_dir_lock.h).
  std::unique_ptr<store::FileLock> data_dir_lock_;
  asio::io_context io_;
  asio::steady_timer tick_timer_{io_};
  asio::signal_set signals_{io_, SIGTERM, SIGINT};
  std::chrono::steady_clock::time_point next_tick_;
  uint64_t ticks_ = 0;
  int exit_code_ = 0;

  store::NodeMeta meta_;
  wire::Keyring keyring_;
  uint64_t keyring_applied_slot_ = 0;  // slot of the last key command applied to keyring_
  uint64_t keys_reported_tick_ = 0;
  std::map<net::UdpAddress, uint8_t> client_key_ids_;
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
  std::map<std::pair<uint64_t, uint64_t>, WaitingClient> waiting_;
  std::map<core::NodeId, net::UdpAddress> addresses_;
  std::map<core::NodeId, uint64_t> last_heard_tick_;
  std::vector<net::UdpAddress> join_addresses_;
  uint64_t join_first_tick_ = 0;     // first join request sent (0: none yet)
  bool join_answered_ = false;       // a member answered one (refusals count)
  uint64_t internal_client_id_ = 0;  // configurations and expiry commands
  uint64_t internal_sequence_ = 0;
  std::optional<InternalSession> internal_session_;  // this agent's own sm commands
  uint64_t session_expiry_tick_ = 0;
  uint64_t sessions_refused_ = 0;     // commands the state machine refused (unknown session, stale)
  uint64_t sessions_duplicates_ = 0;  // retries answered with their first result
  uint64_t config_proposed_tick_ = 0;
  uint64_t self_upsert_tick_ = 0;
  bool ready_notified_ = false;
  bool was_member_ =
      false;  // in a configuration (or removed: data_dir/removed); never rejoins alone
  bool removed_recorded_ = false;

  Notifier notifier_ = Notifier::FromEnvironment();
  Metrics metrics_;
  AgentHal hal_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;  // null when metrics_listen is ""
  std::unique_ptr<net::BeaconSocket> beacons_;       // null without --discover
  uint64_t beacons_heard_ = 0;
  LeaseClock lease_clock_;
  uint64_t lease_expiry_tick_ = 0;
  WatchHub watch_hub_{[this](const net::UdpAddress& to, uint64_t client_id, uint64_t sequence,
                             std::string payload) {
    SendTo(to,
           wire::ClientReply{client_id, sequence, wire::ReplyCode::kOk, std::move(payload), ""});
  }};
  std::unique_ptr<JobWorker> job_worker_;  // kills its running chunk when the agent goes
};

// The cluster id every node of `cluster_name` shares (FNV-1a of the name, never 0).
uint64_t ClusterIdFor(const std::string& cluster_name);

}  // namespace pifleet::daemon
