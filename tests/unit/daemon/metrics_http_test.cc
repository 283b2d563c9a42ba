#include "agent/daemon/metrics_http.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "agent/daemon/discovery.h"

namespace pifleet::daemon {
namespace {

TEST(MetricsHttp, RoutesOnlyGetMetrics) {
  EXPECT_TRUE(RouteHttpRequest("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").metrics);
  EXPECT_TRUE(RouteHttpRequest("GET /metrics?name[]=x HTTP/1.0\r\n\r\n").metrics);
  EXPECT_TRUE(RouteHttpRequest("HEAD /metrics HTTP/1.1\r\n\r\n").metrics);
  EXPECT_EQ(RouteHttpRequest("GET / HTTP/1.1\r\n\r\n").status, 404);
  EXPECT_EQ(RouteHttpRequest("GET /metricsx HTTP/1.1\r\n\r\n").status, 404);
  EXPECT_EQ(RouteHttpRequest("POST /metrics HTTP/1.1\r\n\r\n").status, 405);
  EXPECT_EQ(RouteHttpRequest("GET /metrics\r\n\r\n").status, 400);
  EXPECT_EQ(RouteHttpRequest("GET /metrics SPDY/3\r\n\r\n").status, 400);
  EXPECT_EQ(RouteHttpRequest("").status, 400);
}

TEST(MetricsHttp, ResponseCarriesLengthAndCloses) {
  EXPECT_EQ(FormatHttpResponse(404, "Not Found", "text/plain", "no\n"),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
            "Connection: close\r\n\r\nno\n");
}

TEST(MetricsHttp, RefusesANonLoopbackListenUnlessAllowed) {
  EXPECT_TRUE(CheckMetricsListen("127.0.0.1:9101", false).ok());
  EXPECT_TRUE(CheckMetricsListen("[::1]:9101", false).ok());
  EXPECT_TRUE(CheckMetricsListen("localhost:9101", false).ok());
  EXPECT_NE(CheckMetricsListen("0.0.0.0:9101", false).message().find("metrics_allow_remote"),
            std::string::npos);
  EXPECT_FALSE(CheckMetricsListen("10.0.0.5:9101", false).ok());
  EXPECT_FALSE(CheckMetricsListen("pi-01.local:9101", false).ok());
  EXPECT_TRUE(CheckMetricsListen("0.0.0.0:9101", true).ok());
  EXPECT_FALSE(CheckMetricsListen("127.0.0.1", false).ok());  // no port
}

// A blocking HTTP exchange from another thread while the server runs on this one.
std::string Exchange(asio::io_context& io, uint16_t port, const std::string& request) {
  std::string response;
  std::atomic<bool> done{false};
  std::thread client([&] {
    asio::io_context client_io;
    asio::ip::tcp::socket socket(client_io);
    asio::error_code error;
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, error);
    if (!error) asio::write(socket, asio::buffer(request), error);
    if (!error) asio::read(socket, asio::dynamic_buffer(response), error);  // until closed
    done = true;
  });
  while (!done) io.run_for(std::chrono::milliseconds(5));
  client.join();
  return response;
}

TEST(MetricsHttp, ServesMetricsOnLoopback) {
  asio::io_context io;
  Logger log(Logger::Sink::kStderr, Level::kError);
  int renders = 0;
  MetricsHttpServer server(io, &log, [&] {
    ++renders;
    return std::string("pifleet_up 1\n");
  });
  // metrics_listen needs a port: take one the kernel says is free.
  uint16_t port = 0;
  {
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  ASSERT_TRUE(server.Open("127.0.0.1:" + std::to_string(port)).ok());
  EXPECT_EQ(server.local_endpoint().port(), port);

  const std::string ok = Exchange(io, port, "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(ok.find("\r\n\r\npifleet_up 1\n"), std::string::npos);
  EXPECT_EQ(renders, 1);

  EXPECT_EQ(Exchange(io, port, "GET /other HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
  const std::string big = "GET /metrics HTTP/1.1\r\nX: " + std::string(kHttpRequestBytesMax, 'a');
  EXPECT_EQ(Exchange(io, port, big).rfind("HTTP/1.1 431", 0), 0u);
  EXPECT_EQ(renders, 1);
  EXPECT_EQ(server.requests(), 2u);  // the oversize head is not a request
}

TEST(Discovery, GroupMustBeIpv4Multicast) {
  EXPECT_TRUE(CheckDiscoverGroup("239.255.70.70:7170").ok());
  EXPECT_TRUE(CheckDiscoverGroup("224.0.0.251:5353").ok());
  EXPECT_NE(CheckDiscoverGroup("10.0.0.1:7170").message().find("multicast"), std::string::npos);
  EXPECT_FALSE(CheckDiscoverGroup("[ff02::1]:7170").ok());
  EXPECT_FALSE(CheckDiscoverGroup("239.255.70.70").ok());
}

}  // namespace
}  // namespace pifleet::daemon
