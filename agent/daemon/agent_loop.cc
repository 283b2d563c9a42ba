// The event loop: ticks, the Ready cycle (persist, send, hold until synced, apply), syncs.
#include "agent/base/version.h"
#include "agent/core/constants.h"
#include "agent/daemon/agent.h"

namespace pifleet::daemon {
namespace {

constexpr uint64_t kMaintenanceTicks = 100;  // 1 s: autopilot, expiry, status line
constexpr uint64_t kJoinRetryTicks = 50;     // 500 ms between join attempts

}  // namespace

int Agent::Run() {
  signals_.async_wait([this](const asio::error_code& error, int signal) {
    if (error) return;
    log_->Log(Level::kNotice, "stopping", {{"SIGNAL", std::to_string(signal)}});
    notifier_.Stopping();
    io_.stop();
  });
  socket_.StartReceiving([this](std::span<const uint8_t> datagram, const net::UdpAddress& from) {
    OnDatagram(datagram, from);
  });
  log_->Log(Level::kNotice, "agent listening",
            {{"ADDRESS",
              listen_address_.address().to_string() + ":" + std::to_string(listen_address_.port())},
             {"NODE_ID", std::to_string(meta_.node_id)}});
  next_tick_ = std::chrono::steady_clock::now();
  ScheduleTick();
  io_.run();
  hal_.Restore();  // a clean stop gives the LEDs back; the unit's stop hook sets failed otherwise
  // A snapshot being written is finished (one still waiting is dropped: the WAL holds its
  // slots) and its marker joins the final sync.
  if (snapshot_writer_) {
    snapshot_writer_->Stop();
    AppendSnapshotMarkers();
  }
  // Whatever was appended is made durable before the process goes.
  if (wal_ && wal_->last_lsn() > wal_->synced_lsn()) {
    if (Status status = wal_->Sync(); !status.ok()) {
      log_->Log(Level::kError, "final sync failed: " + status.ToString());
    }
  }
  return exit_code_;
}

void Agent::ScheduleTick() {
  next_tick_ += std::chrono::milliseconds(core::kTickMs);
  const auto now = std::chrono::steady_clock::now();
  if (next_tick_ < now - std::chrono::milliseconds(10 * core::kTickMs)) next_tick_ = now;
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait([this](const asio::error_code& error) {
    if (error) return;
    OnTick();
    ScheduleTick();
  });
}

void Agent::OnTick() {
  ++ticks_;
  const uint64_t now_ms = SteadyNowMs();
  hal_.Tick(now_ms, LedView(now_ms), disk_state_.disk_full());
  if (core_) {
    core_->Tick();
    Drain();
  } else if (ticks_ % kJoinRetryTicks == 1) {
    SendJoinRequests();
  }
  SendBeaconIfDue();
  if (!sync_in_flight_ && disk_state_.RetryDue(ticks_)) {
    sync_in_flight_ = true;
    sync_worker_->Request();
  }
  if (notifier_.watchdog_usec() > 0 &&
      ticks_ % std::max<uint64_t>(1, notifier_.watchdog_usec() / 2000 / core::kTickMs) == 0) {
    notifier_.Watchdog();  // from the loop itself: a hung loop stops the pings
  }
  if (ticks_ % kMaintenanceTicks == 0) {
    reassembler_.Expire(ticks_);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      it = it->second.expires_tick <= ticks_ ? waiting_.erase(it) : std::next(it);
    }
    if (core_) RunAutopilot();
    PumpInternalSession();
    ProposeSessionExpiryIfDue();
    ReportKeys(false);
    NotifyReadyOnceMember();
    RefreshStatusLine();
  }
}

void Agent::Drain() {
  while (core_->HasReady()) {
    core::Ready ready = core_->TakeReady();
    bool append_failed = false;
    PersistReady(ready, &append_failed);
    if ((ready.must_sync || !ready.records.empty()) && !sync_in_flight_) {
      sync_in_flight_ = true;
      sync_worker_->Request();
    }
    for (const core::Envelope& envelope : ready.messages) SendToNode(envelope);
    NoteHeartbeatsSent(ready.messages);
    if (!append_failed) {
      const uint64_t lsn = wal_->last_lsn();
      for (core::Envelope& envelope : ready.messages_after_sync) {
        held_.push_back({lsn, std::move(envelope)});
      }
    }
    // else: the records they vouch for are not in the WAL, so they must never leave.
    if (ready.install) InstallSnapshot(*ready.install);
    for (const core::Decision& decision : ready.committed) Apply(decision);
    core_->Advance();
    MaybeSnapshot();
  }
  ReleaseHeld();
}

void Agent::OnSynced(const Status& status) {
  sync_in_flight_ = false;
  const bool changed = disk_state_.Observe(status, ticks_);
  if (core_ && changed) core_->SetDiskFull(disk_state_.disk_full());
  if (status.code() == Status::Code::kNoSpace) {
    if (changed) {
      log_->Log(Level::kError, "disk full: not voting on new slots, still serving reads",
                {{"DETAIL", status.message()}});
    }
    return;  // retried from OnTick; held replies stay held, so nothing unsynced is vouched for
  }
  if (!status.ok()) {
    log_->Log(Level::kError, "WAL sync failed; stopping so nothing unsynced is acknowledged",
              {{"DETAIL", status.ToString()}});
    exit_code_ = 1;
    io_.stop();
    return;
  }
  if (changed) log_->Log(Level::kNotice, "disk has space again: voting resumed");
  ReleaseHeld();
  CompactIfMarkerDurable();
  if (config_.unsafe_no_fsync) return;
  if (wal_->last_lsn() > wal_->synced_lsn()) {
    sync_in_flight_ = true;
    sync_worker_->Request();
  }
}

void Agent::ReleaseHeld() {
  const uint64_t synced = wal_->synced_lsn();
  while (!held_.empty() && (held_.front().lsn <= synced || config_.unsafe_no_fsync)) {
    SendToNode(held_.front().envelope);
    held_.pop_front();
  }
}

void Agent::Apply(const core::Decision& decision) {
  for (const core::Command& command : decision.value.commands) {
    if (command.kind != core::CommandKind::kApp) continue;  // the core tracks configurations
    const sm::KvResult result =
        sm_.Apply(decision.slot, command.client_id, command.sequence, command.payload);
    if (wire::IsKeyCommand(command.payload)) AdoptClusterKeys();
    OnCommandApplied(command, result);
  }
  NotifyReadyOnceMember();
}

void Agent::NotifyReadyOnceMember() {
  // A seed is a member from slot 1, before anything is decided; a joiner once a decision adds it.
  if (ready_notified_ || !core_ || !core_->membership().Latest().Contains(meta_.node_id)) return;
  ready_notified_ = true;
  notifier_.Ready();
  log_->Log(Level::kNotice, "joined the cluster", {{"ROLE", RoleName()}});
}

void Agent::RefreshStatusLine() {
  const StatusReport report = BuildStatus();
  notifier_.SetStatus(report.role + ", leader " +
                      (report.leader_id ? std::to_string(report.leader_id) : "unknown") +
                      ", applied slot " + std::to_string(report.applied_slot) +
                      (disk_state_.disk_full() ? ", DISK FULL" : ""));
}

std::string Agent::RoleName() const {
  if (!core_) return "joining";
  const core::Config& latest = core_->membership().Latest();
  if (core_->IsLeader()) return "leader";
  if (latest.IsVoter(meta_.node_id)) return "follower";
  if (latest.Contains(meta_.node_id)) return "learner";
  return was_member_ ? "removed" : "joining";
}

StatusReport Agent::BuildStatus() const {
  StatusReport report;
  report.node_id = meta_.node_id;
  report.name = config_.name;
  report.cluster = config_.cluster;
  report.version = build_info().version;
  report.role = RoleName();
  report.epoch = meta_.boot_epoch;
  report.disk_full = disk_state_.disk_full();
  report.led = hal_.pattern_name();
  report.wal_synced_lsn = wal_ ? wal_->synced_lsn() : 0;
  if (core_) {
    report.leader_id = core_->IsLeader() ? meta_.node_id : core_->LeaderHint();
    report.applied_slot = core_->AppliedSlot();
    report.decided_slot = core_->HighestDecidedSlot();
    report.promised_round = core_->Promised().round;
    report.voters = core_->membership().Latest().voters;
    report.learners = core_->membership().Latest().learners;
  }
  const auto& opened = opener_->counters();
  for (size_t i = 1; i < wire::kDropReasonCount; ++i) {  // 0 counts accepted datagrams
    const uint64_t count = opened[i] + decode_drops_[i];
    report.dropped[wire::DropReasonName(static_cast<wire::DropReason>(i))] = count;
  }
  report.dropped["reassembly_evicted"] += reassembler_.evicted_count();
  // Commands the state machine refused: a replayed request of an expired, evicted or unknown
  // session, or an older sequence than its session's last (counted by every replica).
  report.dropped["session_refused"] = sessions_refused_;
  return report;
}

}  // namespace pifleet::daemon
