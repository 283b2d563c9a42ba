// What the LEDs show about this node: its place in the cluster for the status LED, the leader
// heartbeats it sends for the heartbeat LED, and `pifleet identify` (ClientOp::kIdentify).
#include <charconv>

#include "agent/daemon/agent.h"
#include "agent/daemon/daemon_constants.h"
#include "hal/constants.h"

namespace pifleet::daemon {

hal::NodeView Agent::LedView(uint64_t now_ms) const {
  hal::NodeView view;
  view.started = true;
  view.has_core = core() != nullptr;
  view.heard_any_peer = !last_heard_tick_.empty();
  view.leader_silent_ms = hal_.LeaderSilentMs(now_ms);
  if (!core()) return view;
  const core::Config& latest = core()->membership().Latest();
  view.member = latest.Contains(meta_.node_id);
  view.voter = latest.IsVoter(meta_.node_id);
  view.leader = core()->IsLeader();
  view.voters_total = static_cast<uint32_t>(latest.voters.size());
  for (core::NodeId voter : latest.voters) {
    const auto it = last_heard_tick_.find(voter);
    if (voter == meta_.node_id ||
        (it != last_heard_tick_.end() && ticks_ - it->second <= kAliveTicks)) {
      ++view.voters_alive;
    }
  }
  return view;
}

void Agent::NoteHeartbeatsSent(const std::vector<core::Envelope>& messages) {
  // One heartbeat goes to every node at once: the LED toggles once for the round.
  for (const core::Envelope& envelope : messages) {
    if (std::holds_alternative<core::Active>(envelope.message)) return hal_.HeartbeatSent();
  }
}

void Agent::HandleIdentify(const wire::ClientRequest& request, const net::UdpAddress& from) {
  // Payload "NODE_ID SECONDS": the CLI found this node's address in the members table; the id
  // makes sure the address still belongs to the node the person asked for.
  const std::string& text = request.payload;
  const char* end = text.data() + text.size();
  uint64_t node = 0;
  uint32_t seconds = 0;
  auto parsed = std::from_chars(text.data(), end, node);
  if (parsed.ec == std::errc() && parsed.ptr != end && *parsed.ptr == ' ') {
    parsed = std::from_chars(parsed.ptr + 1, end, seconds);
  } else {
    parsed.ec = std::errc::invalid_argument;
  }
  if (parsed.ec != std::errc() || parsed.ptr != end) {
    return Reply(from, request, wire::ReplyCode::kError, "", "malformed identify request");
  }
  if (node != meta_.node_id) {
    return Reply(
        from, request, wire::ReplyCode::kError, "",
        "this agent is node " + std::to_string(meta_.node_id) + ", not " + std::to_string(node));
  }
  if (seconds < 1 || seconds > hal::kIdentifySecondsMax) {
    return Reply(from, request, wire::ReplyCode::kError, "",
                 "seconds must be 1.." + std::to_string(hal::kIdentifySecondsMax));
  }
  hal_.Identify(SteadyNowMs(), seconds);
  Reply(from, request, wire::ReplyCode::kOk, std::to_string(meta_.node_id));
}

}  // namespace pifleet::daemon
