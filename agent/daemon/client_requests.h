// Client requests that go through the log, and their waiters (DESIGN §2, "Exactly-once
// commands"): session registrations, kv commands and transactions (and, for LeaseRequests and
// JobHost, lease and job commands) are proposed for the client, and the client is answered when
// its command is applied (or forgotten after kClientWaitTicks); local reads are answered from
// this node's state machine. The dispatch of every ClientOp is the one switch in
// agent_dispatch.cc.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "agent/daemon/agent_context.h"
#include "agent/sm/kv_op.h"

namespace pifleet::daemon {

class ClientRequests {
 public:
  explicit ClientRequests(AgentContext& context) : context_(context) {}

  void HandleRegister(const wire::ClientRequest& request, const net::UdpAddress& from);
  void HandleKv(const wire::ClientRequest& request, const net::UdpAddress& from);
  // A kv request of kind wire::kKvTxnKind: a transaction, checked before it is proposed.
  void HandleKvTxn(const wire::ClientRequest& request, const net::UdpAddress& from);
  void HandleLocalGet(const wire::ClientRequest& request, const net::UdpAddress& from);
  // Proposes command for the client and waits for it to be applied; a proposal the core
  // refuses is answered at once (out of bounds: an error; no quorum: worth a retry).
  void ProposeFor(const wire::ClientRequest& request, const net::UdpAddress& from,
                  const core::Command& command);

  // Every applied application command: counts refusals and duplicates, answers its waiter.
  void OnApplied(const core::Command& command, const sm::KvResult& result);
  // Forgets waiters whose answer did not come in time (the maintenance round).
  void ExpireWaiters();

  // Commands the state machine refused (unknown session, stale sequence), and retries answered
  // with their first result.
  uint64_t sessions_refused() const { return sessions_refused_; }
  uint64_t sessions_duplicates() const { return sessions_duplicates_; }

 private:
  // Keys under sm::kSettingsPrefix are written by ClusterSettings only, after its checks.
  void RefuseSettingsWrite(const wire::ClientRequest& request, const net::UdpAddress& from);
  // Keys under sm::kTopicPrefix are written by topic commands only (sm/topics.h).
  void RefuseTopicsWrite(const wire::ClientRequest& request, const net::UdpAddress& from);

  struct Waiter {
    net::UdpAddress address;
    uint64_t expires_tick;
    uint64_t client_id = 0;  // the request's, for the reply (the command carries the session)
    wire::ClientOp op = wire::ClientOp::kKv;
  };

  AgentContext& context_;
  std::map<std::pair<uint64_t, uint64_t>, Waiter> waiting_;  // by (client or session, sequence)
  uint64_t sessions_refused_ = 0;
  uint64_t sessions_duplicates_ = 0;
};

}  // namespace pifleet::daemon
