// Jobs in the agent (docs/jobs.md): the worker (JobWorker) fed from the loop and the applied
// commands, and the client requests: submit and cancel through the log in the client's session,
// queries answered from this node's replica.
#include <chrono>

#include "agent/daemon/agent.h"
#include "agent/daemon/job_json.h"

namespace pifleet::daemon {
namespace {

uint64_t WallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

void Agent::StartJobWorker() {
  job_worker_ = std::make_unique<JobWorker>(
      io_, meta_.node_id, config_.worker, config_.job_user,
      [this](std::string payload) {
        ProposeInternal({0, 0, core::CommandKind::kApp, std::move(payload), {}});
      },
      [this](const std::string& message) { log_->Log(Level::kInfo, message); });
}

void Agent::TickJobs() {
  if (!job_worker_ || !core()) return;
  job_worker_->Tick(state_machine().jobs(), core()->IsLeader(), WallMs());
}

void Agent::HandleJob(const wire::ClientRequest& request, const net::UdpAddress& from) {
  std::optional<sm::JobCommand> command = sm::DecodeJobCommand(request.payload);
  if (!command ||
      (command->kind != sm::JobKind::kSubmit && command->kind != sm::JobKind::kCancel)) {
    return Reply(from, request, wire::ReplyCode::kError, "", "malformed job request");
  }
  if (request.session == 0) {
    return Reply(from, request, wire::ReplyCode::kError, "", "job commands need a session");
  }
  command->now_ms = WallMs();  // the log's time comes from agents, not from a CLI's clock
  ProposeForClient(request, from,
                   {request.session,
                    request.sequence,
                    core::CommandKind::kApp,
                    sm::EncodeJobCommand(*command),
                    {}});
}

void Agent::HandleJobQuery(const wire::ClientRequest& request, const net::UdpAddress& from) {
  std::string error;
  std::string answer =
      AnswerJobQuery(state_machine().jobs(), state_machine().members(), request.payload, &error);
  if (!error.empty()) return Reply(from, request, wire::ReplyCode::kError, "", error);
  Reply(from, request, wire::ReplyCode::kOk, std::move(answer));
}

}  // namespace pifleet::daemon
