// Typed topics in the agent (docs/topics.md): ClientOp::kTopic (create, delete, define a type,
// publish) is checked here, where it is cheap to refuse (names, bounds, well-formed JSON, made
// compact), stamped with this node's name as published_by, and proposed in the client's session;
// ClientRequests answers it when applied. The state machine checks it again, with the topic and
// type as the log has them (an edge check of the type could see a stale definition).
// ClientOp::kTopicRead is answered from this node's applied state (`--consistency local`).
// ClientOp::kTopicGroup (a consumer group member's claim or acks) is checked, stamped with this
// node's wall clock (the group's log time, sm/topic_groups.h) and proposed in the session.
#pragma once

#include "agent/daemon/agent_context.h"
#include "agent/daemon/client_requests.h"

namespace pifleet::daemon {

void HandleTopicRequest(AgentContext& context, ClientRequests& clients,
                        const wire::ClientRequest& request, const net::UdpAddress& from);
void HandleTopicRead(AgentContext& context, const wire::ClientRequest& request,
                     const net::UdpAddress& from);
void HandleTopicGroup(AgentContext& context, ClientRequests& clients,
                      const wire::ClientRequest& request, const net::UdpAddress& from);

}  // namespace pifleet::daemon
