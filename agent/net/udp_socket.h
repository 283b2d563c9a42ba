// One UDP socket on an Asio io_context. Sends are synchronous and non-blocking: a datagram that
// would block is dropped and counted (UDP may drop it anyway; Paxos retransmits), so the event
// loop never waits on the network.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "agent/base/status.h"
#include "agent/net/endpoint.h"

namespace pifleet::net {

using UdpAddress = asio::ip::udp::endpoint;

// Resolves host names as well as numeric addresses (blocking; call at start-up, not per packet).
Status Resolve(asio::io_context& io, const Endpoint& endpoint, UdpAddress* out);

class UdpSocket {
 public:
  using Handler = std::function<void(std::span<const uint8_t> datagram, const UdpAddress& from)>;

  UdpSocket(asio::io_context& io) : socket_(io) {}
  // Binds; port 0 picks a free port (clients).
  Status Open(const UdpAddress& listen);
  // Delivers every datagram to `handler` until Cancel() or Close(); a second call replaces the
  // handler.
  void StartReceiving(Handler handler);
  // False when the datagram was dropped (would block, or an error such as no route).
  bool Send(const UdpAddress& to, std::span<const uint8_t> datagram);
  // Stops receiving; the pending receive completes as aborted on the next run of the loop.
  void Cancel();
  void Close();

  UdpAddress local_address() const;
  uint64_t send_failures() const { return send_failures_; }
  uint64_t datagrams_sent() const { return datagrams_sent_; }
  uint64_t datagrams_received() const { return datagrams_received_; }

 private:
  void ReceiveNext();

  asio::ip::udp::socket socket_;
  Handler handler_;
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(65536);
  UdpAddress from_;
  bool receiving_ = false;  // one receive outstanding at most: it owns buffer_
  uint64_t send_failures_ = 0;
  uint64_t datagrams_sent_ = 0;  // what a command costs on the wire (tests/bench/run jobs)
  uint64_t datagrams_received_ = 0;
};

}  // namespace pifleet::net
