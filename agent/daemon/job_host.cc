#include "agent/daemon/job_host.h"

#include "agent/daemon/job_json.h"
#include "agent/sm/job_commands.h"

namespace pifleet::daemon {

void JobHost::Start(asio::io_context& io, const AgentConfig& config) {
  worker_ = std::make_unique<JobWorker>(
      io, context_.node_id(), config.worker, config.job_user,
      [this](std::string payload) {
        own_.Propose({0, 0, core::CommandKind::kApp, std::move(payload), {}});
      },
      [this](const std::string& message) { context_.logger().Log(Level::kInfo, message); });
}

void JobHost::Tick() {
  const core::Core* core = context_.core();
  if (!worker_ || !core) return;
  worker_->Tick(context_.state_machine().jobs(), core->IsLeader(), WallNowMs());
}

bool JobHost::Busy() const {
  return worker_ && context_.core() && worker_->Busy(context_.state_machine().jobs());
}

void JobHost::OnApplied(const core::Command& command, const sm::KvResult& result) {
  if (worker_ && sm::IsJobCommand(command.payload)) {
    worker_->OnApplied(command.payload, result, context_.state_machine().jobs());
  }
}

void JobHost::HandleRequest(const wire::ClientRequest& request, const net::UdpAddress& from) {
  std::optional<sm::JobCommand> command = sm::DecodeJobCommand(request.payload);
  if (!command ||
      (command->kind != sm::JobKind::kSubmit && command->kind != sm::JobKind::kCancel)) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "", "malformed job request");
  }
  if (request.session == 0) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "job commands need a session");
  }
  command->now_ms = WallNowMs();  // the log's time comes from agents, not from a CLI's clock
  clients_.ProposeFor(request, from,
                      {request.session,
                       request.sequence,
                       core::CommandKind::kApp,
                       sm::EncodeJobCommand(*command),
                       {}});
}

void JobHost::HandleQuery(const wire::ClientRequest& request, const net::UdpAddress& from) {
  const sm::StateMachine& state = context_.state_machine();
  std::string error;
  std::string answer = AnswerJobQuery(state.jobs(), state.members(), request.payload, &error);
  if (!error.empty()) return Reply(context_, from, request, wire::ReplyCode::kError, "", error);
  Reply(context_, from, request, wire::ReplyCode::kOk, std::move(answer));
}

}  // namespace pifleet::daemon
