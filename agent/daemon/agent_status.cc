// What this node shows about itself: its members row, its role, `pifleet status` (and the
// systemd status line), `pifleet members`, and the metrics.
#include <algorithm>

#include "agent/base/version.h"
#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::daemon {
namespace {

bool Contains(const std::vector<core::NodeId>& ids, core::NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

void FillRow(const sm::Member& member, wire::MemberRow* row) {
  row->name = member.name;
  row->address = member.address;
  row->role = member.role;
  row->version = member.version;
  row->board = member.board;
  row->serial = member.serial;
  row->capacity_milli = static_cast<int64_t>(member.capacity_milli);
  row->temperature_milli = member.temperature_milli;
  row->throttled_bits = member.throttled_bits;
}

}  // namespace

sm::Member Agent::SelfMember() const {
  sm::Member self;
  self.node_id = meta_.node_id;
  self.name = config_.name;
  self.address =
      net::Endpoint{listen_address_.address().to_string(), listen_address_.port()}.ToString();
  self.role = config_.role;
  self.version = build_info().version;
  leds_.hal().FillMember(&self);  // board, serial and the capacity last published
  return self;
}

std::string Agent::RoleName() const {
  if (!core()) return "joining";
  const core::Config& latest = core()->membership().Latest();
  if (core()->IsLeader()) return "leader";
  if (latest.IsVoter(meta_.node_id)) return "follower";
  if (latest.Contains(meta_.node_id)) return "learner";
  // The replicated state says so even when this node never saw itself in a configuration since
  // it started (it was removed while it was down, and caught up at once).
  return autopilot_.was_member() || state_machine().members().WasRemoved(meta_.node_id) ? "removed"
                                                                                        : "joining";
}

StatusReport Agent::BuildStatus() const {
  StatusReport report;
  report.node_id = meta_.node_id;
  report.name = config_.name;
  report.cluster = config_.cluster;
  report.version = build_info().version;
  report.role = RoleName();
  report.epoch = meta_.boot_epoch;
  report.disk_full = driver_ && driver_->disk_full();
  report.led = leds_.hal().pattern_name();
  report.wal_synced_lsn = wal_ ? wal_->synced_lsn() : 0;
  if (const core::Core* node = core()) {
    report.leader_id = node->IsLeader() ? meta_.node_id : node->LeaderHint();
    report.applied_slot = node->AppliedSlot();
    report.decided_slot = node->HighestDecidedSlot();
    report.promised_round = node->Promised().round;
    report.voters = node->membership().Latest().voters;
    report.learners = node->membership().Latest().learners;
    if (report.role == "removed") {
      report.note = "removed from the cluster configuration; this agent will not rejoin";
      if (node->SteppedDownAt() != 0) {
        report.note += " (it was the leader and stepped down at slot " +
                       std::to_string(node->SteppedDownAt()) + ")";
      }
    }
  }
  const auto& opened = opener_->counters();
  for (size_t i = 1; i < wire::kDropReasonCount; ++i) {  // 0 counts accepted datagrams
    const uint64_t count = opened[i] + decode_drops_[i];
    report.dropped[wire::DropReasonName(static_cast<wire::DropReason>(i))] = count;
  }
  report.dropped["reassembly_evicted"] += reassembler_.evicted_count();
  // Commands the state machine refused: a replayed request of an expired, evicted or unknown
  // session, or an older sequence than its session's last (counted by every replica).
  report.dropped["session_refused"] = clients_.sessions_refused();
  return report;
}

void Agent::RefreshStatusLine() {
  const StatusReport report = BuildStatus();
  notifier_.SetStatus(report.role + ", leader " +
                      (report.leader_id ? std::to_string(report.leader_id) : "unknown") +
                      ", applied slot " + std::to_string(report.applied_slot) +
                      (driver_->disk_full() ? ", DISK FULL" : ""));
}

wire::MembersBody Agent::BuildMembers() const {
  // Voters, then learners, then rows of nodes in no configuration (wire::MembersBody).
  const core::Config& latest = core()->membership().Latest();
  std::vector<core::NodeId> ids = latest.voters;
  ids.insert(ids.end(), latest.learners.begin(), latest.learners.end());
  for (const auto& [id, member] : state_machine().members().members()) {
    if (!Contains(ids, id)) ids.push_back(id);
  }
  wire::MembersBody body;
  body.view_node_id = meta_.node_id;  // "last heard" is this node's view: only a leader hears all
  body.leader_id = core()->IsLeader() ? meta_.node_id : core()->LeaderHint();
  for (core::NodeId id : ids) {
    wire::MemberRow row;
    row.node_id = id;
    row.voting = latest.IsVoter(id) ? "voter" : latest.Contains(id) ? "learner" : "none";
    if (id == meta_.node_id) {
      row.last_heard_ms = 0;
    } else if (const auto heard = peers_.LastHeardTick(id)) {
      row.last_heard_ms = static_cast<int64_t>((ticks_ - *heard) * core::kTickMs);
    }
    if (const auto member = state_machine().members().Find(id)) FillRow(*member, &row);
    body.rows.push_back(std::move(row));
  }
  return body;
}

void Agent::UpdateMetrics() {
  using T = Metrics::Type;
  const StatusReport report = BuildStatus();
  metrics_.Declare("pifleet_info", T::kGauge, "Agent version and node id.");
  metrics_.Set("pifleet_info",
               {{"version", report.version}, {"node_id", std::to_string(report.node_id)}}, 1);
  metrics_.Declare("pifleet_is_leader", T::kGauge, "1 on the leader.");
  metrics_.Set("pifleet_is_leader", {}, report.role == "leader" ? 1 : 0);
  metrics_.Declare("pifleet_applied_slot", T::kGauge, "Highest slot applied.");
  metrics_.Set("pifleet_applied_slot", {}, static_cast<double>(report.applied_slot));
  metrics_.Declare("pifleet_voters", T::kGauge, "Voters in the newest configuration.");
  metrics_.Set("pifleet_voters", {}, static_cast<double>(report.voters.size()));
  metrics_.Declare("pifleet_learners", T::kGauge, "Learners in the newest configuration.");
  metrics_.Set("pifleet_learners", {}, static_cast<double>(report.learners.size()));
  metrics_.Declare("pifleet_disk_full", T::kGauge,
                   "1 while the WAL cannot sync for want of space.");
  metrics_.Set("pifleet_disk_full", {}, report.disk_full ? 1 : 0);
  metrics_.Declare("pifleet_disk_full_events_total", T::kCounter,
                   "Times the disk became full (each episode once).");
  metrics_.Set("pifleet_disk_full_events_total", {},
               static_cast<double>(driver_->disk_full_events()));
  metrics_.Declare("pifleet_wal_syncs_total", T::kCounter, "fdatasync calls on WAL segments.");
  metrics_.Set("pifleet_wal_syncs_total", {}, static_cast<double>(wal_->stats().syncs));
  metrics_.Declare("pifleet_wire_dropped_total", T::kCounter, "Datagrams dropped, by reason.");
  for (const auto& [reason, count] : report.dropped) {
    metrics_.Set("pifleet_wire_dropped_total", {{"reason", reason}}, static_cast<double>(count));
  }
  metrics_.Declare("pifleet_client_sessions", T::kGauge,
                   "Client sessions the state machine holds.");
  metrics_.Set("pifleet_client_sessions", {},
               static_cast<double>(state_machine().sessions().size()));
  metrics_.Declare("pifleet_session_duplicates_total", T::kCounter,
                   "Commands answered with their first result (retries and replays), not re-run.");
  metrics_.Set("pifleet_session_duplicates_total", {},
               static_cast<double>(clients_.sessions_duplicates()));
  metrics_.Declare("pifleet_lease_reads_total", T::kCounter,
                   "Lease reads (kv get --consistency lease) this node served from its state "
                   "under its leader lease, or declined (the client then read through the log).");
  metrics_.Set("pifleet_lease_reads_total", {{"outcome", "served"}},
               static_cast<double>(lease_reads_.served()));
  metrics_.Set("pifleet_lease_reads_total", {{"outcome", "declined"}},
               static_cast<double>(lease_reads_.declined()));
  metrics_.Declare("pifleet_udp_send_failures_total", T::kCounter, "Datagrams the kernel refused.");
  metrics_.Set("pifleet_udp_send_failures_total", {}, static_cast<double>(socket_.send_failures()));
  metrics_.Declare("pifleet_udp_datagrams_sent_total", T::kCounter,
                   "Datagrams sent on the cluster socket (peers and client replies).");
  metrics_.Set("pifleet_udp_datagrams_sent_total", {},
               static_cast<double>(socket_.datagrams_sent()));
  metrics_.Declare("pifleet_udp_datagrams_received_total", T::kCounter,
                   "Datagrams received on the cluster socket, before any check.");
  metrics_.Set("pifleet_udp_datagrams_received_total", {},
               static_cast<double>(socket_.datagrams_received()));
  metrics_.Declare("pifleet_commands_refused_total", T::kCounter,
                   "Commands refused as out of bounds: by the leader, or decided and refused at "
                   "apply (alike on every replica).");
  metrics_.Set("pifleet_commands_refused_total", {{"stage", "propose"}},
               core() ? static_cast<double>(core()->ProposalsRefused()) : 0);
  metrics_.Set("pifleet_commands_refused_total", {{"stage", "apply"}},
               core() ? static_cast<double>(core()->AppliedRefused()) : 0);
  metrics_.Declare("pifleet_reconfigs_stale_total", T::kCounter,
                   "Decided reconfigurations without effect: the configuration they replace had "
                   "been replaced (a replay or a lost race; the same count on every replica).");
  metrics_.Set("pifleet_reconfigs_stale_total", {},
               core() ? static_cast<double>(core()->ReconfigsStale()) : 0);
  UpdateNetMetrics();
  UpdateTimingMetrics();
}

// Wall clock times in microseconds since the Unix epoch, which a double holds exactly (below
// 2^53): tests/bench/run scale subtracts them across nodes.
void Agent::UpdateTimingMetrics() {
  using T = Metrics::Type;
  metrics_.Declare("pifleet_applied_slot_unix_microseconds", T::kGauge,
                   "When this node applied its highest applied slot: wall clock, microseconds "
                   "since the Unix epoch (0: nothing applied since the agent started).");
  metrics_.Set("pifleet_applied_slot_unix_microseconds", {}, static_cast<double>(applied_unix_us_));
  metrics_.Declare("pifleet_decision_sent_slot", T::kGauge,
                   "The newest slot this node decided as leader and sent to the other nodes (0: "
                   "none since the agent started).");
  metrics_.Set("pifleet_decision_sent_slot", {}, static_cast<double>(decision_sent_slot_));
  metrics_.Declare("pifleet_decision_sent_unix_microseconds", T::kGauge,
                   "When the first datagram of that decision went to the kernel: wall clock, "
                   "microseconds since the Unix epoch.");
  metrics_.Set("pifleet_decision_sent_unix_microseconds", {},
               static_cast<double>(decision_sent_unix_us_));
}

}  // namespace pifleet::daemon
