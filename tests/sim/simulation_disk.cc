// The checks on a simulated node's disk and memory: one value per ballot, the durability checker
// (what an acceptor revealed in a reply must survive any crash), the memory and WAL bounds, and
// the end of a steady run (a node added last catches up to the same state hash).
#include <algorithm>
#include <optional>
#include <utility>

#include "agent/base/hash.h"
#include "agent/store/core_log.h"
#include "agent/store/store_constants.h"
#include "tests/sim/simulation.h"

namespace pifleet::sim {
namespace {
std::string Node(uint64_t id) { return "node " + std::to_string(id); }
}  // namespace

uint64_t WalBytesBound(uint64_t snapshot_every) {
  // Compaction keeps the segment being written and one partly below the snapshot; the rest is
  // the slots since the snapshot before last (2K), what runs ahead (window, one catch-up reply),
  // each an accept and a decision of at most a full batch (commands plus their framing).
  const uint64_t slot_bytes =
      2 * store::LogEncodedBytesMax(core::kBatchBytesMax + 64 * core::kBatchCommandsMax);
  return 2 * kSimSegmentBytes +
         (2 * snapshot_every + core::kCatchupSlotsMax + core::kWindowSlots) * slot_bytes;
}

void Simulation::CheckBallotValue(const core::Envelope& envelope) {
  const auto* accept = std::get_if<core::Accept>(&envelope.message);
  if (accept == nullptr) return;
  if (leader_ballots_.insert(accept->ballot).second && leader_crashed_us_ >= 0) {
    failovers_us_.push_back(now_us_ - leader_crashed_us_);
    leader_crashed_us_ = -1;
  }
  Fnv1a fnv;  // of what identifies the value
  const auto mix = [&fnv](uint64_t word) { fnv.AddU64(word); };
  for (const core::Command& command : accept->value.commands) {
    mix(command.client_id);
    mix(command.sequence);
    mix(static_cast<uint64_t>(command.kind));
    for (char c : command.payload) mix(static_cast<uint8_t>(c));
    for (core::NodeId id : command.config.voters) mix(id);
    for (core::NodeId id : command.config.learners) mix(id << 1);
  }
  mix(accept->value.commands.size());
  const uint64_t hash = fnv.value();
  const auto [it, inserted] = accept_values_.emplace(std::pair{accept->slot, accept->ballot}, hash);
  if (!inserted && it->second != hash) {
    checker_.Fail(Node(envelope.from) + " proposed two values for slot " +
                  std::to_string(accept->slot) + " under one ballot (round " +
                  std::to_string(accept->ballot.round) + ")");
  }
  if (accept_values_.size() > 100000) {
    // Below every running node's snapshot nobody accepts any more: forget those slots.
    core::Slot floor = UINT64_MAX;
    for (const SimNode& node : nodes_) {
      if (node.up) floor = std::min(floor, node.driver->core()->SnapshotSlot());
    }
    std::erase_if(accept_values_,
                  [floor](const auto& entry) { return entry.first.first <= floor; });
  }
}

void Simulation::Vouch(SimNode& node, const core::Envelope& envelope) {
  if (const auto* promise = std::get_if<core::Promise>(&envelope.message)) {
    // A restart-recovery reply (round 0) promises nothing: it may show state not yet durable,
    // which only makes the asker stricter (core/recovery.h).
    if (promise->ballot.round == 0) return;
    node.vouched_promise = std::max(node.vouched_promise, promise->promised);
  } else if (const auto* accepted = std::get_if<core::Accepted>(&envelope.message)) {
    node.vouched_promise = std::max(node.vouched_promise, accepted->promised);
    if (accepted->promised == accepted->ballot) {
      core::Ballot& ballot = node.vouched_accepts[accepted->slot];
      ballot = std::max(ballot, accepted->ballot);
    }
  }
}

void Simulation::CheckVouched(const SimNode& node, const core::DurableState& durable,
                              core::Slot snapshot_slot) {
  if (durable.promised < node.vouched_promise) {
    checker_.Fail(Node(node.id) +
                  " came back from a crash with a lower promise than it had sent (" +
                  std::to_string(durable.promised.round) + " < " +
                  std::to_string(node.vouched_promise.round) + ")");
  }
  const core::Slot forgotten = std::max(snapshot_slot, durable.snapshot_slot);
  for (const auto& [slot, ballot] : node.vouched_accepts) {
    if (slot <= forgotten) continue;  // decided and inside its snapshot
    auto it = durable.accepted.find(slot);
    if (it == durable.accepted.end() || it->second.ballot < ballot) {
      checker_.Fail(Node(node.id) + " came back from a crash without the accept of slot " +
                    std::to_string(slot) + " it had acknowledged");
      return;
    }
  }
}

void Simulation::NoteBounds(const SimNode& node) {
  const uint64_t wal_bytes = node.wal->stats().bytes;
  bounds_.wal_bytes_max = std::max(bounds_.wal_bytes_max, wal_bytes);
  if (options_.snapshot_every > 0 && wal_bytes > WalBytesBound(options_.snapshot_every)) {
    checker_.Fail(Node(node.id) + " WAL holds " + std::to_string(wal_bytes) +
                  " bytes, above the bound " +
                  std::to_string(WalBytesBound(options_.snapshot_every)));
  }
  const uint64_t entries =
      node.driver->core()->DecisionsHeld() + node.driver->core()->AcceptedHeld();
  bounds_.core_entries_max = std::max(bounds_.core_entries_max, entries);
  // Checked under steady load: with faults a node that falls behind holds what it accepted
  // or learned ahead of its applied slot until it catches up, a bound set by the lag.
  if (options_.snapshot_every == 0 || options_.steady_commands == 0) return;
  // Between two snapshots a core holds at most K applied slots, plus what is decided or
  // accepted ahead (the window, or one catch-up reply), for decisions and accepts each.
  const uint64_t entries_bound =
      2 * (options_.snapshot_every + core::kCatchupSlotsMax + core::kWindowSlots);
  if (entries > entries_bound) {
    checker_.Fail(Node(node.id) + " holds " + std::to_string(entries) +
                  " decisions and accepted values, above the bound " +
                  std::to_string(entries_bound));
  }
}

void Simulation::StartJoiner() {
  SimNode& joiner = nodes_.back();
  if (!joiner.spare || joiner.up || !StartNode(joiner)) return;
  trace_.Line(now_us_, "n" + std::to_string(joiner.id) + " starts empty and joins as a learner");
  ProposeJoiner();
}

void Simulation::ProposeJoiner() {
  core::Config next = config_;
  next.learners.push_back(nodes_.back().id);
  core::Command command;
  command.client_id = kJoinerClientId;
  command.sequence = ++joiner_sequence_;
  command.kind = core::CommandKind::kReconfig;
  command.config = next;
  command.replaces = ConfigFirstSlot();
  (void)nodes_.front().driver->Propose(command);  // the requester re-sends it until decided
}

bool Simulation::JoinerCaughtUp() const {
  const SimNode& joiner = nodes_.back();
  if (!joiner.up || joiner.applied == 0) return false;
  for (const SimNode& node : nodes_) {
    if (!node.up || node.applied != joiner.applied) return false;
  }
  return true;
}

void Simulation::CheckSteadyEnd(SeedResult& result) {
  const SimNode& joiner = nodes_.back();
  result.final_slot = joiner.applied;
  result.final_state_hash = joiner.sm().StateHash();
  for (const SimNode& node : nodes_) {
    if (node.sm().StateHash() != result.final_state_hash) {
      checker_.Fail(Node(node.id) + " ends with another state hash than the joiner");
    }
  }
}

}  // namespace pifleet::sim
