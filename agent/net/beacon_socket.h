// The UDP socket LAN discovery beacons travel on: bound to the group's port on every address
// (SO_REUSEADDR, so several agents on one host can listen), joined to an IPv4 multicast group,
// TTL 1 so beacons never leave the LAN. Broadcast is the fallback: when the group cannot be
// joined or a multicast send fails, and always when asked (LANs whose switches or access
// points filter multicast).
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "agent/base/status.h"
#include "agent/net/udp_socket.h"

namespace pifleet::net {

class BeaconSocket {
 public:
  using Handler = std::function<void(std::span<const uint8_t> datagram, const UdpAddress& from)>;

  explicit BeaconSocket(asio::io_context& io) : socket_(io) {}
  // group: an IPv4 multicast address and port. Fails only when the port cannot be bound.
  Status Open(const UdpAddress& group, bool always_broadcast);
  void StartReceiving(Handler handler);
  // Multicast, and broadcast when multicast is unavailable, failed, or always_broadcast.
  void Send(std::span<const uint8_t> datagram);

  bool multicast_joined() const { return multicast_joined_; }
  uint64_t multicast_sent() const { return multicast_sent_; }
  uint64_t broadcast_sent() const { return broadcast_sent_; }
  uint64_t send_failures() const { return send_failures_; }

 private:
  void ReceiveNext();

  asio::ip::udp::socket socket_;
  UdpAddress group_;
  bool always_broadcast_ = false;
  bool multicast_joined_ = false;
  Handler handler_;
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(65536);
  UdpAddress from_;
  uint64_t multicast_sent_ = 0;
  uint64_t broadcast_sent_ = 0;
  uint64_t send_failures_ = 0;
};

}  // namespace pifleet::net
