#include "agent/net/udp_socket.h"

namespace pifleet::net {

Status Resolve(asio::io_context& io, const Endpoint& endpoint, UdpAddress* out) {
  asio::error_code error;
  const asio::ip::address address = asio::ip::make_address(endpoint.host, error);
  if (!error) {
    *out = UdpAddress(address, endpoint.port);
    return Status::Ok();
  }
  asio::ip::udp::resolver resolver(io);
  const auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port), error);
  if (error || results.empty()) {
    return Status::InvalidArgument("cannot resolve " + endpoint.ToString() + ": " +
                                   error.message());
  }
  *out = results.begin()->endpoint();
  return Status::Ok();
}

Status UdpSocket::Open(const UdpAddress& listen) {
  asio::error_code error;
  socket_.open(listen.protocol(), error);
  if (!error) socket_.bind(listen, error);
  if (!error) socket_.non_blocking(true, error);
  if (error) {
    socket_.close();
    std::string where = listen.address().to_string() + ":" + std::to_string(listen.port());
    return Status::IOError("cannot listen on UDP " + where + ": " + error.message());
  }
  return Status::Ok();
}

void UdpSocket::StartReceiving(Handler handler) {
  handler_ = std::move(handler);
  if (!receiving_) ReceiveNext();
}

void UdpSocket::ReceiveNext() {
  receiving_ = true;
  socket_.async_receive_from(asio::buffer(buffer_), from_,
                             [this](const asio::error_code& error, size_t bytes) {
                               receiving_ = false;
                               if (error == asio::error::operation_aborted) return;  // Cancel
                               if (!error) {
                                 ++datagrams_received_;
                                 handler_(std::span(buffer_.data(), bytes), from_);
                               }
                               // Errors such as ICMP port unreachable are per-datagram: go on.
                               if (socket_.is_open() && !receiving_) ReceiveNext();
                             });
}

bool UdpSocket::Send(const UdpAddress& to, std::span<const uint8_t> datagram) {
  asio::error_code error;
  socket_.send_to(asio::buffer(datagram.data(), datagram.size()), to, 0, error);
  if (error) {
    ++send_failures_;
  } else {
    ++datagrams_sent_;
  }
  return !error;
}

void UdpSocket::Cancel() {
  asio::error_code ignored;
  socket_.cancel(ignored);
}

void UdpSocket::Close() {
  asio::error_code ignored;
  socket_.close(ignored);
}

UdpAddress UdpSocket::local_address() const {
  asio::error_code ignored;
  return socket_.local_endpoint(ignored);
}

}  // namespace pifleet::net
