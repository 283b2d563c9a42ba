// Jobs in the agent (docs/jobs.md): this node's JobWorker, fed from the loop and the applied
// commands, and the job client requests: submit and cancel go through the log in the client's
// session (answered by ClientRequests when applied), queries are answered from this replica.
#pragma once

#include <asio.hpp>

#include <memory>

#include "agent/daemon/agent_context.h"
#include "agent/daemon/client_requests.h"
#include "agent/daemon/config.h"
#include "agent/daemon/job_worker.h"
#include "agent/daemon/own_proposals.h"

namespace pifleet::daemon {

class JobHost {
 public:
  JobHost(AgentContext& context, ClientRequests& clients, OwnProposals& own)
      : context_(context), clients_(clients), own_(own) {}

  // Once this node's id is known: the worker (it runs chunks only if config.worker).
  void Start(asio::io_context& io, const AgentConfig& config);
  // Every kJobTickTicks: claims, beats, kills, the leader's expiry.
  void Tick();
  // Tick() has work: a chunk of this node's in progress, or a job not finished.
  bool Busy() const;
  // Every applied application command with its result.
  void OnApplied(const core::Command& command, const sm::KvResult& result);
  // ClientOp::kJob: submit or cancel.
  void HandleRequest(const wire::ClientRequest& request, const net::UdpAddress& from);
  // ClientOp::kJobQuery: status, list or results from this replica's job table.
  void HandleQuery(const wire::ClientRequest& request, const net::UdpAddress& from);

 private:
  AgentContext& context_;
  ClientRequests& clients_;
  OwnProposals& own_;
  std::unique_ptr<JobWorker> worker_;  // kills its running chunk when the agent goes
};

}  // namespace pifleet::daemon
