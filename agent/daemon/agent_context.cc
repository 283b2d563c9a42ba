#include "agent/daemon/agent_context.h"

#include <chrono>

namespace pifleet::daemon {

void Reply(AgentContext& context, const net::UdpAddress& to, const wire::ClientRequest& request,
           wire::ReplyCode code, std::string payload, std::string error) {
  context.SendTo(to, wire::ClientReply{request.client_id, request.sequence, code,
                                       std::move(payload), std::move(error)});
}

uint64_t WallNowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace pifleet::daemon
