// The event loop: ticks (the node driver's, joining, beacons, the watchdog, maintenance) and
// the clean stop.
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
  // A clean stop gives the LEDs back; the unit's stop hook sets failed otherwise.
  leds_.hal().Restore();
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
  if (next_tick_ < now - std::chrono::milliseconds(kTickLateTicksMax * core::kTickMs)) {
    next_tick_ = now;
  }
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
  leds_.Tick(now_ms, driver_->disk_full());
  driver_->Tick();  // the core's tick, and a full disk's retry
  if (!core() && ticks_ % kJoinRetryTicks == 1) {
    joiner_.SendJoinRequests();
    joiner_.WarnIfJoinUnanswered();
  }
  SendBeaconIfDue();
  watch_hub_.OnTick(now_ms);
  leases_.ProposeExpiryIfDue();
  if (ticks_ % kJobTickTicks == 0) jobs_.Tick();
  const uint64_t watchdog_usec = notifier_.watchdog_usec();
  const uint64_t ping_ms = watchdog_usec / 1000 / kWatchdogPingsPerInterval;
  if (watchdog_usec > 0 && ticks_ % std::max<uint64_t>(1, ping_ms / core::kTickMs) == 0) {
    notifier_.Watchdog();  // from the loop itself: a hung loop stops the pings
  }
  if (ticks_ % kMaintenanceTicks == 0) RunMaintenance();
}

void Agent::RunMaintenance() {
  reassembler_.Expire(ticks_);
  clients_.ExpireWaiters();
  if (core() && autopilot_.Run()) joiner_.SendJoinRequests();
  own_.Pump();
  own_.ProposeSessionExpiryIfDue();
  keys_.ReportKeys(false);
  NotifyReadyOnceMember();
  RefreshStatusLine();
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

}  // namespace pifleet::daemon
