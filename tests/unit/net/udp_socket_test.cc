#include "agent/net/udp_socket.h"

#include <gtest/gtest.h>

#include <string>

namespace pifleet::net {
namespace {

TEST(UdpSocket, ExchangesDatagramsOnLoopback) {
  asio::io_context io;
  UdpSocket server(io);
  UdpSocket client(io);
  ASSERT_TRUE(server.Open(UdpAddress(asio::ip::make_address("127.0.0.1"), 0)).ok());
  ASSERT_TRUE(client.Open(UdpAddress(asio::ip::make_address("127.0.0.1"), 0)).ok());
  std::string received;
  UdpAddress from;
  server.StartReceiving([&](std::span<const uint8_t> datagram, const UdpAddress& sender) {
    received.assign(datagram.begin(), datagram.end());
    from = sender;
    io.stop();
  });
  const std::string hello = "hello";
  ASSERT_TRUE(client.Send(server.local_address(),
                          std::span(reinterpret_cast<const uint8_t*>(hello.data()), hello.size())));
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(received, "hello");
  EXPECT_EQ(from, client.local_address());
}

TEST(UdpSocket, BindingATakenPortIsAClearError) {
  asio::io_context io;
  UdpSocket first(io);
  UdpSocket second(io);
  ASSERT_TRUE(first.Open(UdpAddress(asio::ip::make_address("127.0.0.1"), 0)).ok());
  const Status status = second.Open(first.local_address());
  EXPECT_EQ(status.code(), Status::Code::kIOError);
  EXPECT_NE(status.message().find("cannot listen on UDP 127.0.0.1:"), std::string::npos);
}

TEST(Resolve, NumericAndNamedHosts) {
  asio::io_context io;
  UdpAddress address;
  ASSERT_TRUE(Resolve(io, Endpoint{"::1", 7101}, &address).ok());
  EXPECT_TRUE(address.address().is_v6());
  ASSERT_TRUE(Resolve(io, Endpoint{"localhost", 7101}, &address).ok());
  EXPECT_TRUE(address.address().is_loopback());  // from /etc/hosts: no DNS query leaves
}

}  // namespace
}  // namespace pifleet::net
