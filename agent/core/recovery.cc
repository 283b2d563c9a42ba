#include "agent/core/recovery.h"

#include <algorithm>

#include "agent/core/command_check.h"
#include "agent/core/constants.h"

namespace pifleet::core {

void Recovery::Start(Slot from_slot, Slot slot_out) {
  ctx_.recovering = true;
  nonce_ = 0;
  while (nonce_ == 0) nonce_ = ctx_.rng.Next();  // a reply to an earlier life is not counted
  next_from_.clear();
  complete_.clear();
  heard_.clear();
  ticks_ = 0;
  for (const Config& config : Candidates(slot_out)) QueryMissing(config, from_slot);
  MaybeFinish(slot_out);
}

std::vector<Config> Recovery::Candidates(Slot slot_out) const {
  std::vector<Config> out;
  for (auto& [first, config] : ctx_.membership.EntriesFrom(slot_out)) out.push_back(config);
  for (auto it = heard_.lower_bound(slot_out); it != heard_.end(); ++it) {
    for (const Config& config : it->second) {
      if (std::find(out.begin(), out.end(), config) == out.end()) out.push_back(config);
    }
  }
  return out;
}

void Recovery::QueryMissing(const Config& config, Slot from_slot) {
  for (NodeId voter : config.voters) {
    if (voter != ctx_.self() && complete_.count(voter) == 0) Query(voter, from_slot);
  }
}

void Recovery::Query(NodeId to, Slot from_slot) {
  Slot& next = next_from_[to];
  next = std::max(next, from_slot);
  ctx_.Send(to, Prepare{Ballot{0, nonce_}, next});
}

void Recovery::Tick(Slot from_slot, Slot slot_out) {
  if (!ctx_.recovering || ++ticks_ < kRetransmitTicks) return;
  ticks_ = 0;
  MaybeFinish(slot_out);  // the configuration may have changed
  if (!ctx_.recovering) return;
  for (const Config& config : Candidates(slot_out)) QueryMissing(config, from_slot);
}

bool Recovery::OnReply(NodeId from, const Promise& reply, Slot from_slot, Slot slot_out) {
  if (!ctx_.recovering || reply.ballot != Ballot{0, nonce_} || from == ctx_.self()) return false;
  if (reply.accepted.empty()) {
    complete_.insert(from);
    return true;
  }
  Slot last = 0;
  for (const PValue& pvalue : reply.accepted) {
    last = std::max(last, pvalue.slot);
    if (pvalue.slot < slot_out) continue;  // applied here: the membership knows what was decided
    for (const Command& command : pvalue.value.commands) {
      if (command.kind != CommandKind::kReconfig || !CheckConfig(command.config).ok()) continue;
      std::vector<Config>& at_slot = heard_[pvalue.slot];
      if (std::find(at_slot.begin(), at_slot.end(), command.config) != at_slot.end()) continue;
      at_slot.push_back(command.config);
      QueryMissing(command.config, from_slot);
    }
  }
  Query(from, std::max(from_slot, last + 1));
  return true;
}

void Recovery::OnOffer(NodeId from, const SnapshotOffer& offer) {
  if (!ctx_.recovering || from == ctx_.self() || next_from_.count(from) == 0) return;
  ctx_.recovery_floor = std::max(ctx_.recovery_floor, offer.slot);
  Query(from, offer.slot + 1);
}

void Recovery::MaybeFinish(Slot slot_out) {
  if (!ctx_.recovering) return;
  for (const Config& config : Candidates(slot_out)) {
    const size_t voters = config.voters.size();
    // A quorum (n/2 + 1 of n voters) that counted a vote of this node holds n/2 of the n - 1
    // others; any n - n/2 of the others include one of them, who remembers what it voted for.
    // In a configuration without this node, a majority is what reveals a reconfiguration
    // decided there that made it a voter later (a decision that its lost tail may have held).
    size_t needed = voters / 2 + 1;
    if (config.IsVoter(ctx_.self())) needed = voters > 1 ? voters - voters / 2 : 0;
    size_t complete = 0;
    for (NodeId voter : config.voters) complete += complete_.count(voter);
    if (complete < needed) return;
  }
  ctx_.recovering = false;
}

}  // namespace pifleet::core
