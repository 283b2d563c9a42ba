#include "agent/daemon/peers.h"

#include "agent/net/endpoint.h"

namespace pifleet::daemon {

void Peers::Heard(core::NodeId node, const net::UdpAddress& address, uint64_t tick) {
  addresses_[node] = address;
  last_heard_tick_[node] = tick;
}

std::optional<uint64_t> Peers::LastHeardTick(core::NodeId node) const {
  const auto it = last_heard_tick_.find(node);
  if (it == last_heard_tick_.end()) return std::nullopt;
  return it->second;
}

bool Peers::HeardWithin(core::NodeId node, uint64_t now_tick, uint64_t bound_ticks) const {
  const auto heard = LastHeardTick(node);
  return heard && now_tick - *heard <= bound_ticks;
}

std::optional<net::UdpAddress> Peers::AddressOf(core::NodeId node,
                                                const sm::MembersTable& members) {
  if (auto it = addresses_.find(node); it != addresses_.end()) return it->second;
  const auto member = members.Find(node);
  if (!member) return std::nullopt;
  net::Endpoint endpoint;
  if (!net::ParseEndpoint(member->address, &endpoint).ok()) return std::nullopt;
  asio::error_code error;
  const auto ip = asio::ip::make_address(endpoint.host, error);
  if (error) return std::nullopt;
  const net::UdpAddress address(ip, endpoint.port);
  addresses_[node] = address;
  return address;
}

}  // namespace pifleet::daemon
