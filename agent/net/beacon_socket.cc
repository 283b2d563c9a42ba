#include "agent/net/beacon_socket.h"

namespace pifleet::net {

Status BeaconSocket::Open(const UdpAddress& group, bool always_broadcast) {
  group_ = group;
  always_broadcast_ = always_broadcast;
  asio::error_code error;
  socket_.open(asio::ip::udp::v4(), error);
  if (!error) socket_.set_option(asio::ip::udp::socket::reuse_address(true), error);
  if (!error) socket_.bind(UdpAddress(asio::ip::address_v4::any(), group.port()), error);
  if (!error) socket_.set_option(asio::socket_base::broadcast(true), error);
  if (!error) socket_.non_blocking(true, error);
  if (error) {
    asio::error_code ignored;
    socket_.close(ignored);
    return Status::IOError("cannot listen for beacons on UDP port " + std::to_string(group.port()) +
                           ": " + error.message());
  }
  // No multicast route (an interface without MULTICAST, say): broadcast only.
  asio::error_code join_error;
  socket_.set_option(asio::ip::multicast::join_group(group.address().to_v4()), join_error);
  multicast_joined_ = !join_error;
  asio::error_code ignored;
  socket_.set_option(asio::ip::multicast::hops(1), ignored);
  socket_.set_option(asio::ip::multicast::enable_loopback(true), ignored);  // agents on one host
  return Status::Ok();
}

void BeaconSocket::StartReceiving(Handler handler) {
  handler_ = std::move(handler);
  ReceiveNext();
}

void BeaconSocket::ReceiveNext() {
  socket_.async_receive_from(asio::buffer(buffer_), from_,
                             [this](const asio::error_code& error, size_t bytes) {
                               if (error == asio::error::operation_aborted) return;
                               if (!error) handler_(std::span(buffer_.data(), bytes), from_);
                               if (socket_.is_open()) ReceiveNext();
                             });
}

void BeaconSocket::Send(std::span<const uint8_t> datagram) {
  const auto buffer = asio::buffer(datagram.data(), datagram.size());
  asio::error_code error;
  bool sent = false;
  if (multicast_joined_) {
    socket_.send_to(buffer, group_, 0, error);
    sent = !error;
    if (sent) ++multicast_sent_;
  }
  if (!sent || always_broadcast_) {
    socket_.send_to(buffer, UdpAddress(asio::ip::address_v4::broadcast(), group_.port()), 0, error);
    if (error) {
      ++send_failures_;
    } else {
      ++broadcast_sent_;
    }
  }
}

}  // namespace pifleet::net
