#include "agent/daemon/internal_session.h"

#include "agent/sm/session_commands.h"

namespace pifleet::daemon {

bool InternalSession::Enqueue(std::string payload) {
  bool kept = true;
  if (queue_.size() >= kInternalQueueMax) {
    // The head may be outstanding; the oldest behind it goes (members rows supersede).
    queue_.erase(queue_.size() > 1 ? queue_.begin() + 1 : queue_.begin());
    kept = false;
  }
  queue_.push_back(std::move(payload));
  return kept;
}

std::optional<core::Command> InternalSession::Due(uint64_t now_ticks, uint64_t now_ms) {
  if (outstanding_ && now_ticks < proposed_tick_ + kInternalResendTicks) return std::nullopt;
  if (session_ == 0) {
    if (queue_.empty()) return std::nullopt;  // register on need only
    outstanding_ = true;
    proposed_tick_ = now_ticks;
    const sm::SessionCommand reg{sm::SessionCommandKind::kRegister, now_ms, 0};
    return core::Command{
        nonce_, ++registrations_, core::CommandKind::kApp, sm::EncodeSessionCommand(reg), {}};
  }
  if (queue_.empty()) return std::nullopt;
  if (head_sequence_ == 0) head_sequence_ = ++sequence_;
  outstanding_ = true;
  proposed_tick_ = now_ticks;
  return core::Command{session_, head_sequence_, core::CommandKind::kApp, queue_.front(), {}};
}

void InternalSession::OnApplied(const core::Command& command, const sm::KvResult& result) {
  if (command.client_id == nonce_ && result.session != 0) {
    if (session_ == 0) {
      session_ = result.session;
      sequence_ = 0;
      head_sequence_ = 0;
      outstanding_ = false;
    }
    return;  // a second registration decided (a resend) is left to expire
  }
  if (session_ == 0 || command.client_id != session_ || command.sequence != head_sequence_) return;
  outstanding_ = false;
  if (result.outcome == sm::KvResult::Outcome::kRefused) {
    session_ = 0;  // expired or evicted: a new session, and the head again in it
    head_sequence_ = 0;
    return;
  }
  head_sequence_ = 0;
  if (!queue_.empty()) queue_.pop_front();
}

}  // namespace pifleet::daemon
