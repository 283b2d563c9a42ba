// Watchers in the simulation (tests/sim/watchers.h): each node incarnation runs the agent's own
// WatchHub, fed as the agent feeds it; watchers' pulls and the hubs' replies cross the simulated
// network (lost, delayed, duplicated, cut by partitions) like client datagrams.
#include "agent/base/assert.h"
#include "tests/sim/simulation.h"

namespace pifleet::sim {
namespace {

// A watcher's reply address: what the hub hands back to the send callback.
net::UdpAddress WatcherAddress(uint32_t watcher) {
  return net::UdpAddress(asio::ip::address_v4::loopback(), static_cast<uint16_t>(watcher + 1));
}

}  // namespace

void Simulation::MakeWatchHub(SimNode& node) {
  const uint32_t index = static_cast<uint32_t>(node.id - 1);
  node.hub = std::make_unique<daemon::WatchHub>([this, index](const net::UdpAddress& to,
                                                              uint64_t client_id, uint64_t sequence,
                                                              std::string payload) {
    (void)client_id;
    for (int64_t delay : network_.Deliveries(nodes_[index].id, 0)) {
      watch_payloads_.emplace(next_seq_, payload);
      Schedule(now_us_ + delay, Kind::kWatchReply, index, to.port() - 1U, sequence);
    }
  });
}

void Simulation::OnKvApplied(SimNode& node) {
  if (node.hub) node.hub->OnApplied(node.sm().kv());
  if (std::string v = watchers_.NoteApplied(node.id, node.sm().kv()); !v.empty()) {
    checker_.Fail("determinism: " + v);
  }
}

void Simulation::WatchSend(uint32_t w) {
  Watcher& watcher = watchers_.watchers()[w];
  ++watcher.sequence;
  const std::string payload = wire::EncodeBody(watcher.body);
  for (int64_t delay : network_.Deliveries(0, nodes_[watcher.node].id)) {
    watch_payloads_.emplace(next_seq_, payload);
    Schedule(now_us_ + delay, Kind::kWatchRequest, watcher.node, w, watcher.sequence);
  }
  Schedule(now_us_ + int64_t{kWatchWaitMs} * 1000 + kWatchSlackUs, Kind::kWatchTimeout, 0, w,
           watcher.sequence);
}

void Simulation::OnWatchEvent(const Event& event) {
  const auto w = static_cast<uint32_t>(event.arg);
  Watcher& watcher = watchers_.watchers()[w];
  std::string payload;
  if (event.kind != Kind::kWatchTimeout) {
    auto it = watch_payloads_.find(event.seq);
    payload = std::move(it->second);
    watch_payloads_.erase(it);
  }
  const auto next_node = [&] { return (watcher.node + 1) % client_nodes_; };
  switch (event.kind) {
    case Kind::kWatchRequest: {
      SimNode& node = nodes_[event.node];
      if (node.up && node.hub) {
        PIFLEET_ASSERT(node.hub->OnRequest(kWatcherIdBit | w, event.arg2, payload,
                                           WatcherAddress(w),
                                           static_cast<uint64_t>(now_us_) / 1000));
      }
      return;
    }
    case Kind::kWatchTimeout:
      if (event.arg2 != watcher.sequence) return;  // answered
      watchers_.MoveTo(w, next_node());
      return WatchSend(w);
    case Kind::kWatchReply: {
      if (event.arg2 != watcher.sequence) return;  // late, or a duplicate
      wire::WatchReplyBody reply;
      if (!wire::DecodeBody(payload, &reply)) return checker_.Fail("watch: a malformed reply");
      bool moved = false;
      if (std::string v = watchers_.OnReply(w, reply, client_nodes_, &moved); !v.empty()) {
        return checker_.Fail("watch: " + v);
      }
      trace_.Mix(reply.next_revision << 8 | w);
      if (moved) watchers_.MoveTo(w, next_node());
      return WatchSend(w);
    }
    default:
      PIFLEET_ASSERT(false);
  }
}

}  // namespace pifleet::sim
