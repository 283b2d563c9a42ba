#include "agent/daemon/node_leds.h"

#include <charconv>

#include "agent/daemon/daemon_constants.h"
#include "hal/constants.h"

namespace pifleet::daemon {

NodeLeds::NodeLeds(AgentContext& context, const Peers& peers, std::string sysroot,
                   const hal::LedConfig& leds, Logger* log)
    : context_(context), peers_(peers), hal_(std::move(sysroot), leds, log) {}

hal::NodeView NodeLeds::View(uint64_t now_ms) const {
  hal::NodeView view;
  view.started = true;
  const core::Core* core = context_.core();
  view.has_core = core != nullptr;
  view.heard_any_peer = peers_.heard_any();
  view.leader_silent_ms = hal_.LeaderSilentMs(now_ms);
  if (core == nullptr) return view;
  const core::NodeId self = context_.node_id();
  const core::Config& latest = core->membership().Latest();
  view.member = latest.Contains(self);
  view.voter = latest.IsVoter(self);
  view.leader = core->IsLeader();
  view.voters_total = static_cast<uint32_t>(latest.voters.size());
  for (core::NodeId voter : latest.voters) {
    if (voter == self || peers_.HeardWithin(voter, context_.ticks(), kAliveTicks)) {
      ++view.voters_alive;
    }
  }
  return view;
}

void NodeLeds::NoteHeartbeatsSent(const std::vector<core::Envelope>& messages) {
  for (const core::Envelope& envelope : messages) {
    if (std::holds_alternative<core::Active>(envelope.message)) return hal_.HeartbeatSent();
  }
}

void NodeLeds::HandleIdentify(const wire::ClientRequest& request, const net::UdpAddress& from) {
  // The CLI found this node's address in the members table; the id makes sure the address
  // still belongs to the node the person asked for.
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
  const std::string self = std::to_string(context_.node_id());
  if (parsed.ec != std::errc() || parsed.ptr != end) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "malformed identify request");
  }
  if (node != context_.node_id()) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "this agent is node " + self + ", not " + std::to_string(node));
  }
  if (seconds < 1 || seconds > hal::kIdentifySecondsMax) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "seconds must be 1.." + std::to_string(hal::kIdentifySecondsMax));
  }
  hal_.Identify(SteadyNowMs(), seconds);
  Reply(context_, from, request, wire::ReplyCode::kOk, self);
}

}  // namespace pifleet::daemon
