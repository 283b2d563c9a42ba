#include "tests/sim/sim_seams.h"

#include <string>
#include <utility>

#include "agent/store/core_log.h"
#include "tests/sim/simulation.h"

namespace pifleet::sim {
namespace {
std::string Node(uint64_t id) { return "node " + std::to_string(id); }
}  // namespace

void SimSeams::Send(const core::Envelope& envelope) { sim_->Send(envelope, node_->incarnation); }

void SimSeams::RequestSync() { sim_->ScheduleDiskEvent(*node_, Simulation::Kind::kSyncDone, 0); }

void SimSeams::CompleteSync() {
  // The fdatasync completes now: it covers everything appended until now (group commit).
  node_->driver->OnSynced(node_->wal->Sync());
}

void SimSeams::RequestCompact(core::Slot below_slot) {
  sim_->ScheduleDiskEvent(*node_, Simulation::Kind::kCompactDone, below_slot);
}

void SimSeams::CompleteCompact(core::Slot below_slot) {
  size_t removed = 0;
  const Status status = node_->wal->Compact(below_slot, &removed);
  node_->driver->OnCompacted(below_slot, status, removed);
}

std::optional<core::Slot> SimSeams::Submit(node::SnapshotJob job) {
  std::optional<core::Slot> superseded;
  if (waiting_save_) {
    superseded = waiting_save_->save.slot;
  } else {
    sim_->ScheduleDiskEvent(*node_, Simulation::Kind::kSnapshotStored, 0, 2);
  }
  waiting_save_ = std::move(job);
  return superseded;
}

void SimSeams::CompleteSnapshotSave() {
  if (!waiting_save_) return;
  node::SnapshotJob job = std::move(*waiting_save_);
  waiting_save_.reset();
  node::SnapshotResult result;
  result.slot = job.save.slot;
  result.bytes = job.save.blob->size();
  result.marker = job.marker;
  result.status = store::SaveCoreSnapshot(node_->env.get(), kSimDataDir, job.save);
  finished_.push_back(std::move(result));
  node_->driver->OnSnapshotsStored();
}

std::vector<node::SnapshotResult> SimSeams::TakeFinished() { return std::exchange(finished_, {}); }

void SimSeams::OnFatal(const Status& status) {
  sim_->checker_.Fail(Node(node_->id) + " stops: " + status.ToString());
}

void SimSeams::OnProblem(Problem problem, const Status& status) {
  // None of these happens on the simulated disk unless something is wrong: a full disk refuses
  // syncs and files, never an append to the WAL's memory queue.
  static constexpr const char* kWhat[] = {"WAL append failed", "snapshot marker append failed",
                                          "snapshot refused", "compaction failed"};
  sim_->checker_.Fail(Node(node_->id) + " " + kWhat[static_cast<int>(problem)] + ": " +
                      status.ToString());
}

void SimSeams::OnDiskFullChanged(bool full, const Status& status) {
  (void)status;
  if (full) ++sim_->bounds_.disk_full_episodes;
  sim_->trace_.Mix(node_->id << 40 | (full ? 8 : 9));
  sim_->trace_.Line(sim_->now_us_,
                    "n" + std::to_string(node_->id) +
                        (full ? " disk full: stops voting" : " disk has space: votes again"));
}

void SimSeams::BeforeDecision(const core::Decision& decision) {
  sim_->checker_.OnApply(node_->id, node_->applied, decision.slot, decision.value);
  node_->applied = std::max(node_->applied, decision.slot);
  sim_->trace_.Mix(decision.slot << 8 | decision.value.commands.size());
  if (sim_->trace_.printing()) {
    sim_->trace_.Line(sim_->now_us_, "n" + std::to_string(node_->id) + " applies slot " +
                                         std::to_string(decision.slot) + " (" +
                                         std::to_string(decision.value.commands.size()) +
                                         " commands)");
  }
}

void SimSeams::OnReconfigApplied(core::Slot slot, const core::Command& command, bool took_effect) {
  sim_->OnReconfigApplied(*node_, slot, command, took_effect);
}

void SimSeams::OnCommandApplied(core::Slot slot, const core::Command& command,
                                const sm::KvResult& result) {
  sim_->OnKvApplied(*node_);
  sim_->OnLeaseApplied(*node_, command, result);
  sim_->OnJobApplied(*node_, slot, command, result);
  sim_->OnTopicApplied(command, result);
  if (std::string v = sim_->replay_.OnApplied(node_->id, node_->incarnation, command, result);
      !v.empty()) {
    sim_->checker_.Fail("exactly once: " + v);
  }
  auto waiting = node_->waiting.find(command.client_id);
  if (waiting == node_->waiting.end() || waiting->second != command.sequence) return;
  node_->waiting.erase(waiting);
  const uint64_t client = sim_->clients_.ClientOf(command.client_id);
  if (client != 0) sim_->Reply(*node_, client, command.sequence, result);
}

void SimSeams::AfterDecision(const core::Decision& decision) {
  sim_->checker_.OnDigest(node_->id, decision.slot, node_->driver->state_machine().StateHash());
}

void SimSeams::OnInstalled(core::Slot slot, bool pulled) {
  if (pulled) ++sim_->bounds_.snapshots_installed;  // not counting restarts
  node_->applied = slot;
  node_->waiting.clear();  // their commands may be inside the snapshot: the clients retry
  sim_->OnKvApplied(*node_);
  sim_->checker_.OnDigest(node_->id, slot, node_->driver->state_machine().StateHash());
  sim_->trace_.Mix(slot << 8 | 0xee);
  sim_->trace_.Line(sim_->now_us_, "n" + std::to_string(node_->id) +
                                       " installs the snapshot of slot " + std::to_string(slot));
}

void SimSeams::OnSnapshotTaken(core::Slot slot) {
  ++sim_->bounds_.snapshots_taken;
  // Below the snapshot the acceptor forgets its accepts: nothing to check any more.
  auto& vouched = node_->vouched_accepts;
  for (auto it = vouched.begin(); it != vouched.end() && it->first <= slot;) {
    it = vouched.erase(it);
  }
}

void SimSeams::OnSnapshotStored(const node::SnapshotResult& result) {
  // A full disk may refuse it: without its marker nothing changes.
  if (!result.status.ok() && result.status.code() != Status::Code::kNoSpace) {
    sim_->checker_.Fail(Node(node_->id) + " cannot store a snapshot: " + result.status.ToString());
  }
}

void SimSeams::AfterAdvance() {
  const core::Ballot promised = node_->driver->core()->Promised();
  sim_->checker_.OnPromise(node_->id, promised, node_->promise_floor);
  node_->promise_floor = std::max(node_->promise_floor, promised);
}

}  // namespace pifleet::sim
