// The event loop: ticks (the node driver's, joining, beacons, the watchdog, maintenance), the
// clean stop, and the status the loop reports.
#include "agent/base/version.h"
#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/daemon/daemon_constants.h"

namespace pifleet::daemon {
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
  // slots); its marker and whatever else was appended are made durable before the process goes.
  if (snapshot_writer_) snapshot_writer_->Stop();
  if (driver_) {
    if (Status status = driver_->FinishForStop(); !status.ok()) {
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
  hal_.Tick(now_ms, LedView(now_ms), driver_->disk_full());
  driver_->Tick();  // the core's tick, and a full disk's retry
  if (!core() && ticks_ % kJoinRetryTicks == 1) {
    SendJoinRequests();
    WarnIfJoinUnanswered();
  }
  SendBeaconIfDue();
  watch_hub_.OnTick(now_ms);
  ProposeLeaseExpiryIfDue();
  if (ticks_ % kJobTickTicks == 0) TickJobs();
  if (notifier_.watchdog_usec() > 0 &&
      ticks_ % std::max<uint64_t>(1, notifier_.watchdog_usec() / 2000 / core::kTickMs) == 0) {
    notifier_.Watchdog();  // from the loop itself: a hung loop stops the pings
  }
  if (ticks_ % kMaintenanceTicks == 0) {
    reassembler_.Expire(ticks_);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      it = it->second.expires_tick <= ticks_ ? waiting_.erase(it) : std::next(it);
    }
    if (core()) RunAutopilot();
    PumpInternalSession();
    ProposeSessionExpiryIfDue();
    ReportKeys(false);
    NotifyReadyOnceMember();
    RefreshStatusLine();
  }
}

void Agent::Stop(int exit_code) {
  exit_code_ = exit_code;
  io_.stop();
}

void Agent::NotifyReadyOnceMember() {
  // A seed is a member from slot 1, before anything is decided; a joiner once a decision adds it.
  if (ready_notified_ || !core() || !core()->membership().Latest().Contains(meta_.node_id)) {
    return;
  }
  ready_notified_ = true;
  notifier_.Ready();
  log_->Log(Level::kNotice, "joined the cluster", {{"ROLE", RoleName()}});
}

void Agent::RefreshStatusLine() {
  const StatusReport report = BuildStatus();
  notifier_.SetStatus(report.role + ", leader " +
                      (report.leader_id ? std::to_string(report.leader_id) : "unknown") +
                      ", applied slot " + std::to_string(report.applied_slot) +
                      (driver_->disk_full() ? ", DISK FULL" : ""));
}

std::string Agent::RoleName() const {
  if (!core()) return "joining";
  const core::Config& latest = core()->membership().Latest();
  if (core()->IsLeader()) return "leader";
  if (latest.IsVoter(meta_.node_id)) return "follower";
  if (latest.Contains(meta_.node_id)) return "learner";
  // The replicated state says so even when this node never saw itself in a configuration since
  // it started (it was removed while it was down, and caught up at once).
  return was_member_ || state_machine().members().WasRemoved(meta_.node_id) ? "removed" : "joining";
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
  report.led = hal_.pattern_name();
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
  report.dropped["session_refused"] = sessions_refused_;
  return report;
}

}  // namespace pifleet::daemon
