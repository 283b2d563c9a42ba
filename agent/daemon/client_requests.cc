#include "agent/daemon/client_requests.h"

#include "agent/daemon/daemon_constants.h"
#include "agent/sm/kv_txn.h"
#include "agent/sm/session_commands.h"
#include "agent/sm/settings.h"
#include "agent/sm/topic_keys.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::daemon {
namespace {

wire::KvReplyBody KvReply(const sm::KvResult& result) {
  return wire::KvReplyBody{result.ok, result.found, result.output,
                           static_cast<wire::KvReplyBody::Outcome>(result.outcome)};
}

}  // namespace

void ClientRequests::RefuseSettingsWrite(const wire::ClientRequest& request,
                                         const net::UdpAddress& from) {
  Reply(context_, from, request, wire::ReplyCode::kError, "",
        "keys under " + std::string(sm::kSettingsPrefix) +
            " are the cluster's runtime settings: change them with `pifleet config set`");
}

void ClientRequests::RefuseTopicsWrite(const wire::ClientRequest& request,
                                       const net::UdpAddress& from) {
  Reply(context_, from, request, wire::ReplyCode::kError, "",
        "keys under " + std::string(sm::kTopicPrefix) +
            " hold typed topics: write them with `pifleet topic`");
}

void ClientRequests::ProposeFor(const wire::ClientRequest& request, const net::UdpAddress& from,
                                const core::Command& command) {
  if (Status status = context_.Propose(command); !status.ok()) {
    // Out of bounds is an answer, not a reason to retry.
    const bool refused = status.code() == Status::Code::kInvalidArgument;
    return Reply(context_, from, request,
                 refused ? wire::ReplyCode::kError : wire::ReplyCode::kNoQuorum, "",
                 status.message());
  }
  waiting_[{command.client_id, command.sequence}] = {from, context_.ticks() + kClientWaitTicks,
                                                     request.client_id, request.op};
}

void ClientRequests::HandleRegister(const wire::ClientRequest& request,
                                    const net::UdpAddress& from) {
  const sm::SessionCommand reg{sm::SessionCommandKind::kRegister, WallNowMs(), 0};
  ProposeFor(request, from,
             {request.client_id,
              request.sequence,
              core::CommandKind::kApp,
              sm::EncodeSessionCommand(reg),
              {}});
}

void ClientRequests::HandleKv(const wire::ClientRequest& request, const net::UdpAddress& from) {
  if (request.session == 0) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "kv commands need a session");
  }
  if (wire::KvRequestKind(request.payload) == wire::kKvTxnKind) return HandleKvTxn(request, from);
  wire::KvRequestBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "", "malformed kv request");
  }
  if (sm::WritesSettings(body)) return RefuseSettingsWrite(request, from);
  if (sm::WritesTopics(body)) return RefuseTopicsWrite(request, from);
  const sm::KvOp op{static_cast<sm::KvKind>(body.kind), std::move(body.key), std::move(body.value),
                    std::move(body.expected)};
  ProposeFor(request, from,
             {request.session, request.sequence, core::CommandKind::kApp, sm::EncodeKvOp(op), {}});
}

void ClientRequests::HandleKvTxn(const wire::ClientRequest& request, const net::UdpAddress& from) {
  wire::TxnRequestBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(
        context_, from, request, wire::ReplyCode::kError, "",
        "malformed kv transaction (or over its bounds: " + std::to_string(wire::kTxnComparesMax) +
            " compares, " + std::to_string(wire::kTxnOpsMax) + " ops per branch, keys of " +
            std::to_string(wire::kKvKeyBytesMax) + " bytes)");
  }
  if (sm::WritesSettings(body)) return RefuseSettingsWrite(request, from);
  if (sm::WritesTopics(body)) return RefuseTopicsWrite(request, from);
  if (std::string why = sm::CheckKvTxn(body); !why.empty()) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "", why);
  }
  ProposeFor(
      request, from,
      {request.session, request.sequence, core::CommandKind::kApp, sm::EncodeKvTxn(body), {}});
}

void ClientRequests::HandleLocalGet(const wire::ClientRequest& request,
                                    const net::UdpAddress& from) {
  wire::LocalGetBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "malformed local get request");
  }
  const auto value = context_.state_machine().kv().Find(body.key);
  const wire::KvReplyBody reply{true, value.has_value(), value.value_or("")};
  Reply(context_, from, request, wire::ReplyCode::kOk, wire::EncodeBody(reply));
}

void ClientRequests::OnApplied(const core::Command& command, const sm::KvResult& result) {
  if (result.outcome == sm::KvResult::Outcome::kRefused) ++sessions_refused_;
  if (result.outcome == sm::KvResult::Outcome::kDuplicate) ++sessions_duplicates_;
  auto it = waiting_.find({command.client_id, command.sequence});
  if (it == waiting_.end()) return;
  const Waiter waiter = it->second;
  waiting_.erase(it);
  const wire::ClientRequest request{waiter.client_id, command.sequence, waiter.op, ""};
  if (waiter.op == wire::ClientOp::kRegister) {
    if (result.session == 0) {
      return Reply(context_, waiter.address, request, wire::ReplyCode::kError, "", result.output);
    }
    return Reply(context_, waiter.address, request, wire::ReplyCode::kOk,
                 wire::EncodeBody(wire::RegisterReplyBody{result.session}));
  }
  if (waiter.op == wire::ClientOp::kKv || waiter.op == wire::ClientOp::kLease ||
      waiter.op == wire::ClientOp::kConfigSet || waiter.op == wire::ClientOp::kTopic ||
      waiter.op == wire::ClientOp::kTopicGroup) {
    return Reply(context_, waiter.address, request, wire::ReplyCode::kOk,
                 wire::EncodeBody(KvReply(result)));
  }
  // Key commands: ok, or the reason it was refused.
  Reply(context_, waiter.address, request,
        result.ok ? wire::ReplyCode::kOk : wire::ReplyCode::kError, "", result.output);
}

void ClientRequests::ExpireWaiters() {
  const uint64_t now = context_.ticks();
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    it = it->second.expires_tick <= now ? waiting_.erase(it) : std::next(it);
  }
}

}  // namespace pifleet::daemon
