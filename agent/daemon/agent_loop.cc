// The event loop: ticks (the node driver's, joining, beacons, the watchdog, maintenance), the
// sleep of an idle node until its first tick with work, and the clean stop.
#include <algorithm>
#include <chrono>

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
  wake_at_ = next_tick_;
  // After every burst of handlers (datagrams, a finished sync, ...) or a wait that ran out: the
  // ticks due by now, then a wait until the first tick that may have work; an idle node sleeps
  // through the ticks before it, which only count (docs/consensus.md, "Sleeping when idle").
  while (!io_.stopped()) {
    RunDueTicks();
    if (lease_reads_.pending()) lease_reads_.AnswerDue(*driver_);
    PlanWake();
    RunBurst();
  }
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

void Agent::RunBurst() {
  // Under load the socket holds many datagrams at each wake: handled as one burst, their
  // commands share slots (core.h, BeginBurst) instead of each taking a slot of its own.
  driver_->BeginBurst();
  const uint64_t received = socket_.datagrams_received();
  // The wait for the first handler is epoll_wait's own timeout: an Asio timer would cost two
  // timerfd_settime calls per wake (set, then re-armed when it fires), most of an idle node's.
  size_t handlers =
      std::chrono::steady_clock::now() < wake_at_ ? io_.run_one_until(wake_at_) : io_.poll_one();
  // Only a datagram says that more may be waiting: a wait that ran out, most of an idle node's
  // wakes, looks for nothing more (each look is a system call).
  if (socket_.datagrams_received() != received) {
    while (handlers != 0 && handlers < kBurstHandlersMax && io_.poll_one() != 0) ++handlers;
  }
  driver_->EndBurst();
}

void Agent::WarnIfLate(std::chrono::steady_clock::time_point now) {
  const auto late_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - wake_at_).count();
  if (late_ms < static_cast<int64_t>(kLoopLateWarnMs)) return;
  const auto quiet = std::chrono::milliseconds(kMaintenanceTicks * core::kTickMs);
  if (late_warned_ && now < *late_warned_ + quiet) return;
  late_warned_ = now;
  log_->Log(Level::kWarning, "the event loop ran late", {{"LATE_MS", std::to_string(late_ms)}});
}

void Agent::RunDueTicks() {
  const auto now = std::chrono::steady_clock::now();
  WarnIfLate(now);
  const auto tick = std::chrono::milliseconds(core::kTickMs);
  // Far behind the planned wake (a suspended process, a stalled machine): the schedule starts
  // again from now instead of running the missed ticks back to back.
  // The core's ticks then lag the clock for good, so a leader lease counted in them would look
  // longer than it is: it is dropped (the next heartbeat asks again).
  if (now > wake_at_ + kTickLateTicksMax * tick) {
    next_tick_ = now;
    if (driver_) driver_->DropLease();
  }
  while (next_tick_ <= now && !io_.stopped()) {
    OnTick();
    next_tick_ += tick;
  }
}

void Agent::PlanWake() {
  wake_at_ = next_tick_ + (TicksUntilDue() - 1) * std::chrono::milliseconds(core::kTickMs);
}

// Ticks from the next one to the first that may have work (1: the next one). Every part with a
// timer says when it is due; the core by its own count (core.h), the rest by their periods.
uint64_t Agent::TicksUntilDue() const {
  const core::Core* node = core();
  if (node == nullptr || driver_->disk_full()) return 1;  // joining; a full disk's retries
  if (lease_reads_.pending()) return 1;                   // their deadlines are in ticks
  uint64_t due =
      std::min<uint64_t>({kIdleTicksMax, node->TicksUntilDue(), driver_->TicksUntilDue()});
  // A busy core (the usual case under load, asked after every burst) settles it: the parts
  // below, held watches included, are not walked.
  if (due <= 1) return 1;
  const auto every = [&](uint64_t period_ticks) {
    if (period_ticks != 0) due = std::min(due, period_ticks - ticks_ % period_ticks);
  };
  every(kMaintenanceTicks);
  every(BeaconPeriodTicks());
  every(WatchdogPeriodTicks());
  if (jobs_.Busy()) every(kJobTickTicks);
  if (leases_.Busy()) every(kLeaseCheckTicks);
  // Deadlines on the steady clock: the first tick at or after them.
  const uint64_t next_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(next_tick_.time_since_epoch()).count());
  const auto at = [&](uint64_t deadline_ms) {
    if (deadline_ms == UINT64_MAX) return;  // none
    const uint64_t wait_ms = deadline_ms > next_ms ? deadline_ms - next_ms : 0;
    due = std::min(due, 1 + (wait_ms + core::kTickMs - 1) / core::kTickMs);
  };
  at(leds_.NextDueMs(next_ms));
  at(watch_hub_.NextDeadlineMs());
  return std::max<uint64_t>(1, due);
}

uint64_t Agent::WatchdogPeriodTicks() const {
  const uint64_t ping_ms = notifier_.watchdog_usec() / 1000 / kWatchdogPingsPerInterval;
  return notifier_.watchdog_usec() == 0 ? 0 : std::max<uint64_t>(1, ping_ms / core::kTickMs);
}

void Agent::OnTick() {
  ++ticks_;
  const uint64_t now_ms = SteadyNowMs();
  leds_.Tick(now_ms, driver_->disk_full());
  driver_->Tick();  // the core's tick, and a full disk's retry
  ObserveLeader();
  if (!core() && ticks_ % kJoinRetryTicks == 1) {
    joiner_.SendJoinRequests();
    joiner_.WarnIfJoinUnanswered();
  }
  SendBeaconIfDue();
  watch_hub_.OnTick(now_ms);
  leases_.ProposeExpiryIfDue();
  if (ticks_ % kJobTickTicks == 0) jobs_.Tick();
  const uint64_t watchdog_ticks = WatchdogPeriodTicks();
  if (watchdog_ticks != 0 && ticks_ % watchdog_ticks == 0) {
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
