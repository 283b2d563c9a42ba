#include "agent/daemon/own_proposals.h"

#include "agent/base/random.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/sm/session_commands.h"

namespace pifleet::daemon {

OwnProposals::OwnProposals(AgentContext& context)
    : context_(context), client_id_(RandomU64()), session_(RandomU64()) {}

void OwnProposals::Propose(core::Command command) {
  const uint64_t now_ms = context_.ticks() * core::kTickMs;
  if (command.kind == core::CommandKind::kApp) {
    if (!session_.Enqueue(std::move(command.payload))) {
      context_.logger().LogLimited(
          "internal-queue", now_ms, Level::kWarning,
          "own commands queue up faster than the log decides them; dropped one");
    }
    return Pump();
  }
  // Configurations are the core's own, never applied to the state machine.
  command.client_id = client_id_;
  command.sequence = ++sequence_;
  if (Status status = context_.Propose(command); !status.ok()) {
    context_.logger().LogLimited("propose", now_ms, Level::kWarning,
                                 "could not propose: " + status.message());
  }
}

void OwnProposals::Pump() {
  if (context_.core() == nullptr) return;
  if (auto command = session_.Due(context_.ticks(), WallNowMs())) {
    (void)context_.Propose(*command);  // refused (queue full): due again after the resend time
  }
}

void OwnProposals::ProposeSessionExpiryIfDue() {
  const core::Core* core = context_.core();
  if (core == nullptr || !core->IsLeader() ||
      context_.ticks() < expiry_tick_ + kSessionExpireCheckTicks) {
    return;
  }
  expiry_tick_ = context_.ticks();
  const uint64_t now_ms = WallNowMs();
  if (now_ms < kSessionIdleMs ||
      !context_.state_machine().sessions().AnyIdleSince(now_ms - kSessionIdleMs)) {
    return;
  }
  const sm::SessionCommand expire{sm::SessionCommandKind::kExpire, now_ms, kSessionIdleMs};
  (void)context_.Propose(
      {client_id_, ++sequence_, core::CommandKind::kApp, sm::EncodeSessionCommand(expire), {}});
}

void OwnProposals::OnApplied(const core::Command& command, const sm::KvResult& result) {
  session_.OnApplied(command, result);
}

}  // namespace pifleet::daemon
