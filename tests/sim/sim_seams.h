// The node driver's seams in the simulator (agent/node/seams.h): one SimSeams per incarnation of a
// node. Messages go through the simulated network; a WAL sync or compaction completes after a
// simulated latency (and only then touches the FaultEnv disk); a snapshot file is stored after a
// delay, a newer one superseding one still waiting, as the agent's SnapshotWriter does; and what
// the driver reports feeds the checkers and the trace. Everything dies with the incarnation.
#pragma once

#include <optional>
#include <vector>

#include "agent/node/seams.h"

namespace pifleet::sim {

class Simulation;
struct SimNode;

class SimSeams final : public node::Transport,
                       public node::WalExecutor,
                       public node::SnapshotStore,
                       public node::NodeEvents {
 public:
  SimSeams(Simulation* sim, SimNode* node) : sim_(sim), node_(node) {}

  // The latencies' ends, called by the simulation's events.
  void CompleteSync();
  void CompleteCompact(core::Slot below_slot);
  void CompleteSnapshotSave();

  void Send(const core::Envelope& envelope) override;
  void RequestSync() override;
  void RequestCompact(core::Slot below_slot) override;
  std::optional<core::Slot> Submit(node::SnapshotJob job) override;
  std::vector<node::SnapshotResult> TakeFinished() override;
  // Memory is no cost in the simulation: nothing to touch.
  void Prepare(std::shared_ptr<std::string> buffer, uint64_t bytes) override {
    (void)buffer;
    (void)bytes;
  }

  void OnFatal(const Status& status) override;
  void OnProblem(Problem problem, const Status& status) override;
  void OnDiskFullChanged(bool full, const Status& status) override;
  void BeforeDecision(const core::Decision& decision) override;
  void OnCommandApplied(core::Slot slot, const core::Command& command,
                        const sm::KvResult& result) override;
  void OnReconfigApplied(core::Slot slot, const core::Command& command, bool took_effect) override;
  void AfterDecision(const core::Decision& decision) override;
  void OnInstalled(core::Slot slot, bool pulled) override;
  void OnSnapshotTaken(core::Slot slot) override;
  void OnSnapshotStored(const node::SnapshotResult& result) override;
  void AfterAdvance() override;

 private:
  Simulation* const sim_;
  SimNode* const node_;
  std::optional<node::SnapshotJob> waiting_save_;
  std::vector<node::SnapshotResult> finished_;
};

}  // namespace pifleet::sim
