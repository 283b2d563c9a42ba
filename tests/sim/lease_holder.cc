#include "tests/sim/lease_holder.h"

#include <algorithm>

namespace pifleet::sim {
namespace {

constexpr int64_t kUsPerMs = 1000;
constexpr int64_t kUsPerTick = 10'000;  // the InternalSession counts resends in 10 ms ticks
constexpr uint32_t kSilencePerMillion = 125'000;  // of keepalive times, the holder goes silent
constexpr int64_t kResendUs = 250'000;

}  // namespace

std::optional<core::Command> LeaseHolder::Due(int64_t now_us, core::Rng& rng) {
  if (silent_ && now_us >= next_keepalive_us_) {
    silent_ = false;
    current_ = 0;  // a new lease; the old one must have expired by now, or will
  }
  if (!silent_ && current_ == 0 && !granting_) {
    granting_ = true;
    session_.Enqueue(
        sm::EncodeLeaseCommand({sm::LeaseCommandKind::kGrant,
                                rng.Between(sm::kLeaseTtlMsMin, 2 * sm::kLeaseTtlMsMin),
                                0,
                                {}}));
  } else if (!silent_ && current_ != 0 && now_us >= next_keepalive_us_ && session_.queued() == 0) {
    const auto ttl_us = static_cast<int64_t>(leases_[current_].ttl_ms) * kUsPerMs;
    if (rng.Chance(kSilencePerMillion)) {
      silent_ = true;
      next_keepalive_us_ = now_us + 2 * ttl_us;
    } else {
      session_.Enqueue(sm::EncodeLeaseCommand({sm::LeaseCommandKind::kKeepAlive, 0, current_, {}}));
      next_keepalive_us_ = now_us + ttl_us / 3;
    }
  }
  std::optional<core::Command> command = session_.Due(static_cast<uint64_t>(now_us / kUsPerTick),
                                                      static_cast<uint64_t>(now_us / kUsPerMs));
  if (!command && outstanding_ && now_us >= proposed_us_ + kResendUs) command = outstanding_;
  if (!command) return command;
  outstanding_ = command;
  proposed_us_ = now_us;
  if (sm::IsLeaseCommand(command->payload)) {
    sent_.try_emplace({command->client_id, command->sequence},
                      Sent{now_us, *sm::DecodeLeaseCommand(command->payload)});
  }
  return command;
}

bool LeaseHolder::AllEnded() const {
  return std::all_of(leases_.begin(), leases_.end(),
                     [](const auto& entry) { return entry.second.ended; });
}

std::string LeaseHolder::OnApplied(const core::Command& command, const sm::KvResult& result,
                                   const sm::LeaseTable& table, int64_t now_us) {
  session_.OnApplied(command, result);
  if (outstanding_ && outstanding_->client_id == command.client_id &&
      outstanding_->sequence == command.sequence) {
    outstanding_.reset();
  }
  auto sent = sent_.find({command.client_id, command.sequence});
  if (sent != sent_.end() && result.outcome != sm::KvResult::Outcome::kRefused) {
    const sm::LeaseCommand& what = sent->second.command;
    if (what.kind == sm::LeaseCommandKind::kGrant && result.ok) {
      const uint64_t id = std::stoull(result.output);
      const auto [held, inserted] = leases_.try_emplace(
          id,
          Held{what.ttl_ms, sent->second.first_us + static_cast<int64_t>(what.ttl_ms) * kUsPerMs});
      if (inserted && granting_) {
        granting_ = false;
        current_ = id;
        next_keepalive_us_ = now_us + static_cast<int64_t>(what.ttl_ms) * kUsPerMs / 3;
      }
    } else if (what.kind == sm::LeaseCommandKind::kKeepAlive && leases_.contains(what.id)) {
      Held& held = leases_[what.id];
      if (result.ok) {
        held.promised_until_us =
            std::max(held.promised_until_us,
                     sent->second.first_us + static_cast<int64_t>(held.ttl_ms) * kUsPerMs);
      } else if (what.id == current_) {
        current_ = 0;  // it had expired: grant a new one
      }
    }
  }
  if (!sm::IsLeaseCommand(command.payload)) return "";
  const std::optional<sm::LeaseCommand> expire = sm::DecodeLeaseCommand(command.payload);
  if (!expire || expire->kind != sm::LeaseCommandKind::kExpire) return "";
  for (const auto& [id, keepalives] : expire->expire) {
    auto held = leases_.find(id);
    if (held == leases_.end() || held->second.ended || table.Find(id) != nullptr) continue;
    held->second.ended = true;
    ++expired_;
    if (now_us < held->second.promised_until_us) {
      return "lease " + std::to_string(id) + " (TTL " + std::to_string(held->second.ttl_ms) +
             " ms) expired at " + std::to_string(now_us / kUsPerMs) + " ms, before " +
             std::to_string(held->second.promised_until_us / kUsPerMs) +
             " ms: its TTL from the first send of a keepalive applied before the expiry";
    }
  }
  return "";
}

}  // namespace pifleet::sim
