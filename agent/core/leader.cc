#include "agent/core/leader.h"

#include <algorithm>

#include "agent/base/assert.h"
#include "agent/core/command_check.h"
#include "agent/core/constants.h"

namespace pifleet::core {
namespace {
std::pair<uint64_t, uint64_t> Key(const Command& command) {
  return {command.client_id, command.sequence};
}
}  // namespace

Leader::Leader(Context& ctx, Replica& replica, Ballot restored_promise)
    : ctx_(ctx),
      replica_(replica),
      election_timeout_(ctx.options),
      highest_seen_(restored_promise),
      lease_(ctx.options.canary) {
  HeardFromLeader();
}

void Leader::HeardFromLeader() {
  silent_ticks_ = 0;
  election_timeout_ticks_ = election_timeout_.Draw(ctx_.rng);
}

bool Leader::CanCampaign() const {
  // Learners never lead and never vote; a node whose own promise cannot become durable (disk
  // full) would only preempt a working leader and hold the others' election timers back.
  // A recovering node may have lost the record of its own last ballot, too.
  return !ctx_.disk_full && !ctx_.recovering &&
         ctx_.membership.ForSlot(replica_.slot_out()).IsVoter(ctx_.self());
}

void Leader::StopScouting() {
  if (mode_ != Mode::kScouting) return;
  mode_ = Mode::kFollower;
  promised_by_.clear();
  learned_.clear();
  HeardFromLeader();
}

void Leader::Tick() {
  if (mode_ == Mode::kActive) {
    if (++heartbeat_ticks_ >= HeartbeatPeriod()) Heartbeat();
  } else if (++silent_ticks_ >= election_timeout_ticks_) {
    HeardFromLeader();
    if (mode_ == Mode::kFollower) leader_hint_ = 0;  // suspected: stop forwarding to it
    if (mode_ == Mode::kFollower && CanCampaign()) StartScout();
  }
  if (mode_ == Mode::kFollower || ++retransmit_ticks_ < kRetransmitTicks) return;
  retransmit_ticks_ = 0;
  SendPrepares(/*only_missing=*/true);
  for (const auto& [slot, commander] : commanders_) SendAccepts(slot, commander);
}

bool Leader::Idle() const {
  const Slot out = replica_.slot_out();
  return mode_ == Mode::kActive && commanders_.empty() && pending_.empty() && next_slot_ <= out &&
         (learned_.empty() || learned_.rbegin()->first < out);
}

uint32_t Leader::HeartbeatPeriod() const {
  const uint32_t busy = ctx_.options.heartbeat_ticks;
  if (!Idle() || lease_.wanted(ctx_.ticks)) return busy;
  // Idle, a leader beats half as often (issue 20: each beat wakes every node). Its followers
  // suspect it only after kSuspectGaps of the gaps they measured, and never before the
  // configured minimum: the slower beat stays within that, so it costs no election, only a
  // slower failover while nothing waits on one.
  return std::max(
      busy, std::min(busy * kIdleHeartbeatFactor, ctx_.options.election_ticks_min / kSuspectGaps));
}

uint32_t Leader::TicksUntilDue() const {
  if (mode_ == Mode::kFollower) return TicksUntilCount(silent_ticks_, election_timeout_ticks_);
  if (!Idle()) return 1;  // a campaign or proposals in flight: every tick, as before
  const uint32_t heartbeat = TicksUntilCount(heartbeat_ticks_, HeartbeatPeriod());
  if (AllPromised()) return heartbeat;  // the retransmit would send nothing
  return std::min(heartbeat, TicksUntilCount(retransmit_ticks_, kRetransmitTicks));
}

bool Leader::AllPromised() const {
  for (NodeId voter : ctx_.membership.WindowVoters(replica_.slot_out())) {
    if (!promised_by_.count(voter)) return false;
  }
  return true;
}

void Leader::ObserveBallot(NodeId from, Ballot ballot) {
  if (from == ctx_.self()) return;
  if (ballot >= highest_seen_) {
    if (mode_ == Mode::kFollower && ballot.node == leader_hint_) {
      election_timeout_.NoteGap(silent_ticks_);
    }
    highest_seen_ = ballot;
    leader_hint_ = ballot.node;
    HeardFromLeader();
  }
  if (mode_ != Mode::kFollower && ballot > ballot_) Preempt(ballot);
}

void Leader::StartScout() {
  const Ballot base = std::max(highest_seen_, ballot_);
  ballot_ = Ballot{base.round + 1, ctx_.self()};
  // A scout's ballot is its own and higher than any it has seen (the paper's scout starts only
  // with a ballot no acceptor can have promised yet in this leader's view).
  PIFLEET_ASSERT(ballot_.node == ctx_.self() && ballot_ > base);
  highest_seen_ = ballot_;
  mode_ = Mode::kScouting;
  leader_hint_ = 0;
  scout_from_ = replica_.slot_out();
  promised_by_.clear();
  learned_.clear();
  commanders_.clear();
  lease_.Drop();
  retransmit_ticks_ = 0;
  SendPrepares(/*only_missing=*/false);
}

void Leader::SendPrepares(bool only_missing) {
  // Slots this node has applied meanwhile (say from a snapshot, because acceptors answered with
  // offers) need no phase 1: ask from the first unapplied one.
  scout_from_ = std::max(scout_from_, replica_.slot_out());
  for (NodeId voter : ctx_.membership.WindowVoters(replica_.slot_out())) {
    if (only_missing && promised_by_.count(voter)) continue;
    ctx_.Send(voter, Prepare{ballot_, scout_from_});
  }
}

bool Leader::HasQuorumFor(Slot slot) const {
  const Config& config = ctx_.membership.ForSlot(slot);
  size_t votes = 0;
  for (NodeId voter : config.voters) votes += promised_by_.count(voter);
  return votes >= ctx_.membership.QuorumSize(config);
}

void Leader::OnPromise(NodeId from, const Promise& promise) {
  if (promise.promised > ballot_) return Preempt(promise.promised);
  if (mode_ == Mode::kFollower || promise.ballot != ballot_ || promise.promised != ballot_) return;
  promised_by_.insert(from);
  for (const PValue& pvalue : promise.accepted) {
    if (replica_.Decided(pvalue.slot) || commanders_.count(pvalue.slot)) continue;
    auto it = learned_.find(pvalue.slot);
    if (it == learned_.end() || it->second.ballot < pvalue.ballot) learned_[pvalue.slot] = pvalue;
  }
  // Its own promise is required: only a durable promise of this ballot keeps a restarted node
  // from campaigning with the same ballot again and proposing other values under it.
  if (mode_ == Mode::kScouting && promised_by_.count(ctx_.self()) &&
      HasQuorumFor(replica_.slot_out())) {
    BecomeActive();
  }
}

void Leader::BecomeActive() {
  // Precondition (adopted): a quorum of the voters of the first open slot, this node's own
  // durable promise among them, promised exactly this ballot.
  PIFLEET_ASSERT(mode_ == Mode::kScouting && ballot_.node == ctx_.self());
  PIFLEET_ASSERT(promised_by_.count(ctx_.self()) && HasQuorumFor(replica_.slot_out()));
  mode_ = Mode::kActive;
  leader_hint_ = ctx_.self();
  next_slot_ = replica_.slot_out();
  if (!learned_.empty()) next_slot_ = std::max(next_slot_, learned_.rbegin()->first + 1);
  adopted_end_ = next_slot_;
  lease_.Drop();
  PIFLEET_ASSERT(commanders_.empty());  // no commander runs before phase 1 has completed
  Heartbeat();
}

void Leader::Preempt(Ballot higher) {
  PIFLEET_ASSERT(higher > ballot_);
  if (higher > highest_seen_) highest_seen_ = higher;
  for (const auto& [slot, commander] : commanders_) {
    for (const Command& command : commander.value.commands) queued_.erase(Key(command));
  }
  commanders_.clear();
  learned_.clear();
  lease_.Drop();
  if (ctx_.options.canary == Canary::kSkipPhase1 && mode_ == Mode::kActive) {
    // The unsafe variant: take a higher ballot and carry on as if phase 1 had run.
    ballot_ = Ballot{higher.round + 1, ctx_.self()};
    highest_seen_ = ballot_;
    next_slot_ = replica_.slot_out();
    return;
  }
  mode_ = Mode::kFollower;
  leader_hint_ = higher.node;
  pending_.clear();
  queued_.clear();
  HeardFromLeader();
  // Postcondition: a preempted leader holds no commander and waits for the higher ballot.
  PIFLEET_ASSERT(commanders_.empty() && highest_seen_ >= higher);
}

bool Leader::StepDownIfRemoved() {
  const Slot out = replica_.slot_out();
  if (mode_ == Mode::kFollower || ctx_.membership.ForSlot(out).IsVoter(ctx_.self())) return false;
  // Every slot an older configuration governs is decided (Pump fills them first), so nothing
  // this node still owes is lost; its queued commands go back to their requesters' retries.
  commanders_.clear();
  learned_.clear();
  promised_by_.clear();
  pending_.clear();
  queued_.clear();
  lease_.Drop();
  mode_ = Mode::kFollower;
  leader_hint_ = 0;
  stepped_down_at_ = out;
  HeardFromLeader();
  PIFLEET_ASSERT(!CanCampaign());
  return true;
}

void Leader::OnActive(NodeId from, const Active& active) {
  if (from == ctx_.self()) return;
  if (active.ballot >= highest_seen_) {
    if (mode_ == Mode::kFollower && from == leader_hint_) election_timeout_.NoteGap(silent_ticks_);
    highest_seen_ = active.ballot;
    leader_hint_ = from;
    HeardFromLeader();
  }
  if (mode_ != Mode::kFollower && active.ballot > ballot_) Preempt(active.ballot);
}

void Leader::Enqueue(const std::vector<Command>& commands) {
  if (mode_ != Mode::kActive) return;  // the requesters re-send to whoever leads next
  for (const Command& command : commands) {
    if (pending_.size() >= kPendingCommandsMax) return;
    // Requests come from other nodes: a command out of bounds is never proposed, so it can
    // never be decided (a decided one would be in every replica's log for good).
    if (!CheckCommand(command).ok()) {
      ++ctx_.proposals_refused;
      continue;
    }
    if (queued_.insert(Key(command)).second) pending_.push_back(command);
  }
  PIFLEET_ASSERT(pending_.size() <= kPendingCommandsMax);
}

Value Leader::TakeBatch() {
  Value batch;
  uint64_t bytes = 0;
  while (!pending_.empty() && batch.commands.size() < ctx_.options.batch_commands_max &&
         bytes + pending_.front().payload.size() <= kBatchBytesMax) {
    bytes += pending_.front().payload.size();
    batch.commands.push_back(std::move(pending_.front()));
    pending_.pop_front();
  }
  PIFLEET_ASSERT(!batch.IsNoop() && CheckValue(batch).ok());  // only Enqueue fills pending_
  return batch;
}

void Leader::Pump() {
  if (StepDownIfRemoved() || mode_ != Mode::kActive) return;
  const Slot out = replica_.slot_out();
  next_slot_ = std::max(next_slot_, out);
  // Slots this node applied another way (a snapshot, a catch-up) need no commander any more.
  while (!commanders_.empty() && commanders_.begin()->first < out) {
    for (const Command& command : commanders_.begin()->second.value.commands) {
      queued_.erase(Key(command));
    }
    commanders_.erase(commanders_.begin());
  }
  for (Slot slot = out; slot < out + kWindowSlots; ++slot) {
    if (replica_.Decided(slot) || commanders_.count(slot)) continue;
    if (!HasQuorumFor(slot)) return;  // waits for promises from a new configuration's voters
    auto learned = learned_.find(slot);
    if (learned != learned_.end()) {
      StartCommander(slot, learned->second.value);
    } else if (slot < next_slot_) {
      StartCommander(slot, Value{});  // no-op fill of a hole
    } else if (!pending_.empty()) {
      StartCommander(slot, TakeBatch());
      next_slot_ = slot + 1;
    } else if (ctx_.membership.ForSlot(slot) != ctx_.membership.Latest()) {
      // A slot still governed by an older configuration is filled now, while that quorum is
      // there: left empty, it would wait for that quorum forever (a 2-voter configuration that
      // loses a voter) and block every later slot.
      StartCommander(slot, Value{});
      next_slot_ = slot + 1;
    } else {
      return;
    }
  }
}

void Leader::StartCommander(Slot slot, Value value) {
  // Preconditions of a commander (the paper's L1 and the window): an active leader spawns at
  // most one commander per (ballot, slot), never for a decided slot, only inside the window
  // whose configurations are known, and with the highest-ballot value its scout learned there.
  PIFLEET_ASSERT(mode_ == Mode::kActive && !commanders_.count(slot) && !replica_.Decided(slot));
  PIFLEET_ASSERT(slot >= replica_.slot_out() && slot < replica_.slot_out() + kWindowSlots);
  const auto learned = learned_.find(slot);
  PIFLEET_ASSERT(learned == learned_.end() || learned->second.value == value);
  learned_.erase(slot);
  Commander& commander = commanders_[slot];
  commander.value = std::move(value);
  SendAccepts(slot, commander);
}

void Leader::SendAccepts(Slot slot, const Commander& commander) {
  for (NodeId voter : ctx_.membership.ForSlot(slot).voters) {
    if (!commander.acks.count(voter)) ctx_.Send(voter, Accept{ballot_, slot, commander.value});
  }
}

void Leader::OnAccepted(NodeId from, const Accepted& accepted) {
  if (accepted.promised > ballot_) return Preempt(accepted.promised);
  if (mode_ != Mode::kActive || accepted.ballot != ballot_) return;
  auto it = commanders_.find(accepted.slot);
  if (it == commanders_.end()) return;
  const Config& config = ctx_.membership.ForSlot(accepted.slot);
  if (!config.IsVoter(from)) return;  // learners never vote
  it->second.acks.insert(from);
  if (it->second.acks.size() >= ctx_.membership.QuorumSize(config)) Decide(accepted.slot);
}

void Leader::Decide(Slot slot) {
  auto it = commanders_.find(slot);
  // Precondition: a quorum of this slot's voters accepted this ballot's value.
  PIFLEET_ASSERT(mode_ == Mode::kActive && it != commanders_.end());
  const Config& config = ctx_.membership.ForSlot(slot);
  PIFLEET_ASSERT(it->second.acks.size() >= ctx_.membership.QuorumSize(config));
  for (NodeId voter : it->second.acks) PIFLEET_ASSERT(config.IsVoter(voter));
  Value value = std::move(it->second.value);
  commanders_.erase(it);
  for (const Command& command : value.commands) queued_.erase(Key(command));
  for (NodeId node : ctx_.membership.NodesFrom(slot)) {
    if (node != ctx_.self()) ctx_.Send(node, Decision{slot, value});
  }
  replica_.OnDecision(slot, value);
}

void Leader::Heartbeat() {
  heartbeat_ticks_ = 0;
  SendBeats(/*voters_only=*/false);
}

void Leader::SendBeats(bool voters_only) {
  const Slot out = replica_.slot_out();
  const Config* config = LeaseConfig();
  const uint64_t stamp = config != nullptr ? lease_.Stamp(ctx_.ticks) : 0;
  for (NodeId node : ctx_.membership.NodesFrom(out)) {
    // Only voters grant; a learner's beat carries no stamp, and asks for no answer.
    const bool voter = config != nullptr && config->IsVoter(node);
    if (node == ctx_.self() || (voters_only && !voter)) continue;
    ctx_.Send(node, Active{ballot_, out - 1, voter ? stamp : 0});
  }
  // Its own acceptor grants too: it must not promise another ballot while this lease runs.
  if (stamp != 0) ctx_.Send(ctx_.self(), Active{ballot_, out - 1, stamp});
}

const Config* Leader::LeaseConfig() const {
  const Config& config = ctx_.membership.ForSlot(replica_.slot_out());
  return config == ctx_.membership.Latest() ? &config : nullptr;
}

void Leader::OnLeaseGrant(NodeId from, const LeaseGrant& grant) {
  const Config* config = LeaseConfig();
  if (mode_ != Mode::kActive || grant.ballot != ballot_ || config == nullptr) return;
  lease_.OnGrant(from, grant.stamp, *config, ctx_.membership.QuorumSize(*config));
}

void Leader::WantLease() {
  lease_.Want(ctx_.ticks);
  // The first read after a quiet spell asks at once rather than at the next beat (one stamp
  // per tick however many reads come).
  if (mode_ == Mode::kActive && !lease_.Held(ctx_.ticks) && lease_asked_tick_ != ctx_.ticks &&
      LeaseConfig() != nullptr) {
    lease_asked_tick_ = ctx_.ticks;
    SendBeats(/*voters_only=*/true);
  }
}

bool Leader::LeaseReadable(Slot read_index) const {
  // Every write acknowledged before the read arrived is at or below read_index (this leader
  // decided it) or below adopted_end_ (an earlier leader did, and this one's scout learned it).
  const Slot out = replica_.slot_out();
  return mode_ == Mode::kActive && lease_.Held(ctx_.ticks) && out >= adopted_end_ &&
         out > read_index;
}

}  // namespace pifleet::core
