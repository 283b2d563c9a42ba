// What the node driver (agent/node/driver.h) tells the agent: messages to send (and leader
// heartbeats for the LED), decisions applied (handed to ClientRequests, OwnProposals and
// KeyRotation), snapshots and compaction (logged), a full disk (log, status, LEDs) and fatal
// storage errors (the agent stops with exit 1).
#include <chrono>
#include <variant>

#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/sm/key_commands.h"

namespace pifleet::daemon {
namespace {

uint64_t UnixMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

void Agent::Send(const core::Envelope& envelope) {
  const auto* decision = std::get_if<core::Decision>(&envelope.message);
  if (decision != nullptr && decision->slot > decision_sent_slot_) {
    decision_sent_slot_ = decision->slot;  // its first datagram: when it was decided
    decision_sent_unix_us_ = UnixMicros();
  }
  SendToNode(envelope);
}

void Agent::OnFatal(const Status& status) {
  log_->Log(Level::kError, "stopping: " + status.ToString());
  Stop(1);
}

void Agent::OnProblem(Problem problem, const Status& status) {
  const uint64_t now_ms = ticks_ * core::kTickMs;
  switch (problem) {
    case Problem::kWalAppend:
      return log_->LogLimited(
          "wal-append", now_ms, Level::kError,
          "WAL append refused; not voting until it is durable: " + status.ToString());
    case Problem::kMarkerAppend:
      return log_->LogLimited(
          "wal-append", now_ms, Level::kError,
          "snapshot marker not appended; the WAL is not compacted: " + status.ToString());
    case Problem::kSnapshotRefused:
      return log_->Log(Level::kError, "snapshot refused: " + status.ToString());
    case Problem::kCompaction:
      return log_->Log(Level::kWarning, "WAL compaction failed: " + status.ToString());
  }
}

void Agent::OnDiskFullChanged(bool full, const Status& status) {
  if (full) {
    log_->Log(Level::kError, "disk full: not voting on new slots, still serving reads",
              {{"DETAIL", status.message()}});
  } else {
    log_->Log(Level::kNotice, "disk has space again: voting resumed");
  }
}

void Agent::OnMessagesSent(const std::vector<core::Envelope>& messages) {
  leds_.NoteHeartbeatsSent(messages);
}

void Agent::OnCommandApplied(core::Slot slot, const core::Command& command,
                             const sm::KvResult& result) {
  (void)slot;
  // The state machine answers a command decided twice (a client retry through two nodes) with
  // its first result and applies it once.
  if (sm::IsKeyCommand(command.payload)) keys_.AdoptClusterKeys();
  watch_hub_.OnApplied(state_machine().kv());
  settings_.OnApplied(state_machine().kv());
  jobs_.OnApplied(command, result);
  own_.OnApplied(command, result);
  clients_.OnApplied(command, result);
}

void Agent::OnReconfigApplied(core::Slot slot, const core::Command& command, bool took_effect) {
  if (took_effect) return;
  // Stale: another change came first (the autopilot and `leave` propose again from the newest
  // configuration) or a replay; the same on every node.
  log_->Log(Level::kInfo,
            "a reconfiguration was decided without effect: the configuration it "
            "replaces had been replaced",
            {{"SLOT", std::to_string(slot)}, {"REPLACES", std::to_string(command.replaces)}});
}

void Agent::AfterDecision(const core::Decision& decision) {
  (void)decision;
  applied_unix_us_ = UnixMicros();
  NotifyReadyOnceMember();
}

void Agent::OnInstalled(core::Slot slot, bool pulled) {
  (void)pulled;
  log_->Log(Level::kNotice, "state restored from a snapshot", {{"SLOT", std::to_string(slot)}});
  applied_unix_us_ = UnixMicros();
  keys_.AdoptClusterKeys();
  watch_hub_.OnApplied(state_machine().kv());
  settings_.Refresh();
}

void Agent::OnSnapshotStored(const node::SnapshotResult& result) {
  if (!result.status.ok()) {
    // The WAL keeps every slot and the next snapshot point tries again. A full disk is logged
    // once until a snapshot is stored again.
    const bool no_space = result.status.code() == Status::Code::kNoSpace;
    if (!no_space || !snapshot_no_space_logged_) {
      log_->Log(Level::kError, "cannot store a snapshot; the WAL is not compacted",
                {{"SLOT", std::to_string(result.slot)}, {"DETAIL", result.status.ToString()}});
    }
    snapshot_no_space_logged_ = snapshot_no_space_logged_ || no_space;
    return;
  }
  snapshot_no_space_logged_ = false;
  log_->Log(Level::kInfo, "snapshot stored",
            {{"SLOT", std::to_string(result.slot)},
             {"BYTES", std::to_string(result.bytes)},
             {"WRITE_MS", std::to_string(result.write_ms)}});
}

void Agent::OnSnapshotSuperseded(core::Slot slot, core::Slot by_slot) {
  log_->Log(Level::kInfo, "snapshot superseded before it was stored",
            {{"SLOT", std::to_string(slot)}, {"BY_SLOT", std::to_string(by_slot)}});
}

void Agent::OnCompacted(core::Slot below_slot, size_t segments_removed) {
  if (segments_removed == 0) return;
  log_->Log(Level::kInfo, "WAL compacted",
            {{"BELOW_SLOT", std::to_string(below_slot)},
             {"SEGMENTS_REMOVED", std::to_string(segments_removed)}});
}

}  // namespace pifleet::daemon
