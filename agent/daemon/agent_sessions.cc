// Client sessions in the agent (DESIGN §2, "Exactly-once commands"): registrations and kv
// commands from clients, the replies once applied, the agent's own commands in a session of its
// own (InternalSession), and the leader's expiry commands.
#include <chrono>

#include "agent/daemon/agent.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/sm/kv_txn.h"
#include "agent/sm/session_commands.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::daemon {
namespace {

uint64_t WallNowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

wire::KvReplyBody KvReply(const sm::KvResult& result) {
  return wire::KvReplyBody{result.ok, result.found, result.output,
                           static_cast<wire::KvReplyBody::Outcome>(result.outcome)};
}

}  // namespace

void Agent::ProposeForClient(const wire::ClientRequest& request, const net::UdpAddress& from,
                             core::Command command) {
  if (Status status = driver_->Propose(command); !status.ok()) {
    // Out of bounds is an answer, not a reason to retry.
    const bool refused = status.code() == Status::Code::kInvalidArgument;
    return Reply(from, request, refused ? wire::ReplyCode::kError : wire::ReplyCode::kNoQuorum, "",
                 status.message());
  }
  waiting_[{command.client_id, command.sequence}] = {from, ticks_ + kClientWaitTicks,
                                                     request.client_id, request.op};
}

void Agent::HandleRegister(const wire::ClientRequest& request, const net::UdpAddress& from) {
  const sm::SessionCommand reg{sm::SessionCommandKind::kRegister, WallNowMs(), 0};
  ProposeForClient(request, from,
                   {request.client_id,
                    request.sequence,
                    core::CommandKind::kApp,
                    sm::EncodeSessionCommand(reg),
                    {}});
}

void Agent::HandleKv(const wire::ClientRequest& request, const net::UdpAddress& from) {
  if (request.session == 0) {
    return Reply(from, request, wire::ReplyCode::kError, "", "kv commands need a session");
  }
  if (wire::KvRequestKind(request.payload) == wire::kKvTxnKind) return HandleKvTxn(request, from);
  wire::KvRequestBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(from, request, wire::ReplyCode::kError, "", "malformed kv request");
  }
  const sm::KvOp op{static_cast<sm::KvKind>(body.kind), std::move(body.key), std::move(body.value),
                    std::move(body.expected)};
  ProposeForClient(
      request, from,
      {request.session, request.sequence, core::CommandKind::kApp, sm::EncodeKvOp(op), {}});
}

void Agent::HandleKvTxn(const wire::ClientRequest& request, const net::UdpAddress& from) {
  wire::TxnRequestBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(
        from, request, wire::ReplyCode::kError, "",
        "malformed kv transaction (or over its bounds: " + std::to_string(wire::kTxnComparesMax) +
            " compares, " + std::to_string(wire::kTxnOpsMax) + " ops per branch, keys of " +
            std::to_string(wire::kKvKeyBytesMax) + " bytes)");
  }
  if (std::string why = sm::CheckKvTxn(body); !why.empty()) {
    return Reply(from, request, wire::ReplyCode::kError, "", why);
  }
  ProposeForClient(
      request, from,
      {request.session, request.sequence, core::CommandKind::kApp, sm::EncodeKvTxn(body), {}});
}

void Agent::HandleLocalGet(const wire::ClientRequest& request, const net::UdpAddress& from) {
  wire::LocalGetBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(from, request, wire::ReplyCode::kError, "", "malformed local get request");
  }
  const auto value = state_machine().kv().Find(body.key);
  const wire::KvReplyBody reply{true, value.has_value(), value.value_or("")};
  Reply(from, request, wire::ReplyCode::kOk, wire::EncodeBody(reply));
}

void Agent::OnClientCommandApplied(const core::Command& command, const sm::KvResult& result) {
  if (result.outcome == sm::KvResult::Outcome::kRefused) ++sessions_refused_;
  if (result.outcome == sm::KvResult::Outcome::kDuplicate) ++sessions_duplicates_;
  if (internal_session_) internal_session_->OnApplied(command, result);
  auto it = waiting_.find({command.client_id, command.sequence});
  if (it == waiting_.end()) return;
  const WaitingClient waiter = it->second;
  waiting_.erase(it);
  const wire::ClientRequest request{waiter.client_id, command.sequence, waiter.op, ""};
  if (waiter.op == wire::ClientOp::kRegister) {
    if (result.session == 0) {
      return Reply(waiter.address, request, wire::ReplyCode::kError, "", result.output);
    }
    return Reply(waiter.address, request, wire::ReplyCode::kOk,
                 wire::EncodeBody(wire::RegisterReplyBody{result.session}));
  }
  if (waiter.op == wire::ClientOp::kKv || waiter.op == wire::ClientOp::kLease) {
    return Reply(waiter.address, request, wire::ReplyCode::kOk, wire::EncodeBody(KvReply(result)));
  }
  // Key commands: ok, or the reason it was refused.
  Reply(waiter.address, request, result.ok ? wire::ReplyCode::kOk : wire::ReplyCode::kError, "",
        result.output);
}

void Agent::ProposeInternal(core::Command command) {
  if (command.kind == core::CommandKind::kApp) {
    if (!internal_session_->Enqueue(std::move(command.payload))) {
      log_->LogLimited("internal-queue", ticks_ * core::kTickMs, Level::kWarning,
                       "own commands queue up faster than the log decides them; dropped one");
    }
    return PumpInternalSession();
  }
  // Configurations are the core's own, never applied to the state machine.
  command.client_id = internal_client_id_;
  command.sequence = ++internal_sequence_;
  if (Status status = driver_->Propose(command); !status.ok()) {
    log_->LogLimited("propose", ticks_ * core::kTickMs, Level::kWarning,
                     "could not propose: " + status.message());
  }
}

void Agent::PumpInternalSession() {
  if (!core() || !internal_session_) return;
  if (auto command = internal_session_->Due(ticks_, WallNowMs())) {
    (void)driver_->Propose(*command);  // refused (queue full): due again after the resend time
  }
}

void Agent::ProposeSessionExpiryIfDue() {
  if (!core() || !core()->IsLeader() || ticks_ < session_expiry_tick_ + kSessionExpireCheckTicks) {
    return;
  }
  session_expiry_tick_ = ticks_;
  const uint64_t now_ms = WallNowMs();
  if (now_ms < kSessionIdleMs || !state_machine().sessions().AnyIdleSince(now_ms - kSessionIdleMs))
    return;
  const sm::SessionCommand expire{sm::SessionCommandKind::kExpire, now_ms, kSessionIdleMs};
  (void)driver_->Propose({internal_client_id_,
                          ++internal_sequence_,
                          core::CommandKind::kApp,
                          sm::EncodeSessionCommand(expire),
                          {}});
}

}  // namespace pifleet::daemon
