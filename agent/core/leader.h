// Leader: runs Multi-Paxos rounds for this node. Its Scout (phase 1: Prepare / Promise) runs
// once per ballot and needs a quorum that includes the leader's own (durable) promise; once
// adopted the leader is stable and runs only Commanders (phase 2: Accept / Accepted, one per
// slot), up to kWindowSlots slots in flight, each slot a batch of commands.
// A new leader re-proposes every value its scout learned and fills the other holes with no-ops.
// It sends `Active` heartbeats; followers suspect it after a randomised timeout that adapts to
// the gaps they measure between its messages (core/election_timeout.h). A preempted
// leader does not fight back: it follows the higher ballot until that leader falls silent.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "agent/core/context.h"
#include "agent/core/election_timeout.h"
#include "agent/core/leader_lease.h"
#include "agent/core/message.h"
#include "agent/core/replica.h"

namespace pifleet::core {

class Leader {
 public:
  Leader(Context& ctx, Replica& replica, Ballot restored_promise);

  void Tick();
  // The Tick() or Pump() call that may act: send, start a commander or change mode; the calls
  // before it only count (constants.h: kNoDeadline never happens here, a leader or follower
  // always has a timer running).
  uint32_t TicksUntilDue() const;
  // A Prepare or Accept from another node shows its ballot (and that it is alive).
  void ObserveBallot(NodeId from, Ballot ballot);
  void OnPromise(NodeId from, const Promise& promise);
  void OnAccepted(NodeId from, const Accepted& accepted);
  void OnActive(NodeId from, const Active& active);
  void OnLeaseGrant(NodeId from, const LeaseGrant& grant);
  // Lease reads (core/leader_lease.h): one arrived, so ask for grants (at once if no lease is
  // held); whether a read needing every slot up to `read_index` may be answered from this
  // node's state now; and dropping the lease when the driver's ticks fell behind its clock.
  void WantLease();
  bool LeaseReadable(Slot read_index) const;
  void DropLease() { lease_.Drop(); }
  // A ballot some acceptor has promised (restart recovery): this node's next ballot is higher.
  void NoteBallot(Ballot ballot) { highest_seen_ = std::max(highest_seen_, ballot); }
  void Enqueue(const std::vector<Command>& commands);
  // Starts commanders for every slot of the window that can take one.
  void Pump();
  // Drops a campaign in progress (this node's own promise cannot become durable); an active
  // leader is left alone.
  void StopScouting();

  bool active() const { return mode_ == Mode::kActive; }
  NodeId leader_hint() const { return leader_hint_; }
  // The first slot of the configuration that no longer has this node as a voter, once it
  // stepped down as leader (or gave up a campaign) for that reason; 0 if it never did.
  Slot stepped_down_at() const { return stepped_down_at_; }
  Ballot ballot() const { return ballot_; }

 private:
  enum class Mode { kFollower, kScouting, kActive };
  struct Commander {
    Value value;
    std::set<NodeId> acks;
  };

  bool CanCampaign() const;
  void StartScout();
  void SendPrepares(bool only_missing);
  bool HasQuorumFor(Slot slot) const;
  // Every voter of the window promised this ballot: retransmitting Prepares sends nothing.
  bool AllPromised() const;
  // The one configuration of every slot in the window, or nullptr while a change is pending.
  const Config* LeaseConfig() const;
  void BecomeActive();
  void Preempt(Ballot higher);
  // Leading a configuration this node is not a voter of: it leaves at once (returns true).
  bool StepDownIfRemoved();
  void HeardFromLeader();
  void StartCommander(Slot slot, Value value);
  void SendAccepts(Slot slot, const Commander& commander);
  void Decide(Slot slot);
  Value TakeBatch();
  void Heartbeat();
  // Nothing in flight: no campaign, no proposal, no decision still to learn.
  bool Idle() const;
  // Ticks between beats: kIdleHeartbeatFactor times longer while idle with no lease wanted.
  uint32_t HeartbeatPeriod() const;
  // Active to every node (stamped for the voters while leases are wanted), or to the voters
  // only: a lease asked for at once reaches no learner.
  void SendBeats(bool voters_only);

  Context& ctx_;
  Replica& replica_;
  ElectionTimeout election_timeout_;
  Mode mode_ = Mode::kFollower;
  Ballot ballot_;        // this node's own ballot (scouting or active)
  Ballot highest_seen_;  // highest ballot seen anywhere
  NodeId leader_hint_ = 0;
  Slot stepped_down_at_ = 0;
  uint32_t silent_ticks_ = 0;
  uint32_t election_timeout_ticks_ = 0;
  uint32_t heartbeat_ticks_ = 0;
  uint32_t retransmit_ticks_ = 0;
  // Scout state.
  Slot scout_from_ = 1;
  std::set<NodeId> promised_by_;
  std::map<Slot, PValue> learned_;  // per slot, the highest-ballot value promises reported
  // Lease state: reads are answered only once every slot before adopted_end_ (what this
  // ballot's scout learned, and the holes it fills) is applied.
  LeaderLease lease_;
  Slot adopted_end_ = 0;
  uint64_t lease_asked_tick_ = 0;
  // Commander state.
  std::map<Slot, Commander> commanders_;
  Slot next_slot_ = 1;
  std::deque<Command> pending_;
  std::set<std::pair<uint64_t, uint64_t>> queued_;  // pending or in flight
};

}  // namespace pifleet::core
