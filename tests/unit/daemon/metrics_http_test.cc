#include "agent/daemon/metrics_http.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "agent/daemon/discovery.h"

namespace pifleet::daemon {
namespace {

HttpResource Resource(std::string_view head, bool loopback_host_only = false) {
  return RouteHttpRequest(head, loopback_host_only).resource;
}

TEST(MetricsHttp, RoutesGetAndHeadOfKnownPaths) {
  EXPECT_EQ(Resource("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), HttpResource::kMetrics);
  EXPECT_EQ(Resource("GET /metrics?name[]=x HTTP/1.0\r\n\r\n"), HttpResource::kMetrics);
  EXPECT_EQ(Resource("HEAD /metrics HTTP/1.1\r\n\r\n"), HttpResource::kMetrics);
  EXPECT_EQ(Resource("GET /v1/status HTTP/1.1\r\n\r\n"), HttpResource::kStatus);
  EXPECT_EQ(Resource("GET /v1/members HTTP/1.1\r\n\r\n"), HttpResource::kMembers);
  EXPECT_EQ(Resource("GET /v1/jobs?x=1 HTTP/1.1\r\n\r\n"), HttpResource::kJobs);
  const HttpAnswer page = RouteHttpRequest("GET / HTTP/1.1\r\n\r\n", false);
  EXPECT_EQ(page.resource, HttpResource::kPageFile);
  EXPECT_EQ(page.file, "index.html");
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(RouteHttpRequest("GET /fleet.js HTTP/1.1\r\n\r\n", false).file, "fleet.js");
  EXPECT_EQ(RouteHttpRequest("GET /v1/statusx HTTP/1.1\r\n\r\n", false).status, 404);
  EXPECT_EQ(RouteHttpRequest("GET /metricsx HTTP/1.1\r\n\r\n", false).status, 404);
  EXPECT_EQ(RouteHttpRequest("GET /../etc/passwd HTTP/1.1\r\n\r\n", false).status, 404);
  EXPECT_EQ(RouteHttpRequest("POST /metrics HTTP/1.1\r\n\r\n", false).status, 405);
  EXPECT_EQ(RouteHttpRequest("GET /metrics\r\n\r\n", false).status, 400);
  EXPECT_EQ(RouteHttpRequest("GET /metrics SPDY/3\r\n\r\n", false).status, 400);
  EXPECT_EQ(RouteHttpRequest("", false).status, 400);
}

// On a loopback listener only a loopback Host is served: a page elsewhere that made a DNS name
// point at 127.0.0.1 (DNS rebinding) cannot read the fleet through the user's browser.
TEST(MetricsHttp, LoopbackListenerRefusesOtherHosts) {
  for (const char* host :
       {"127.0.0.1:9101", "localhost", "LOCALHOST:9101", "[::1]:9101", "127.0.0.2"}) {
    const std::string head = std::string("GET / HTTP/1.1\r\nHost: ") + host + "\r\n\r\n";
    EXPECT_EQ(RouteHttpRequest(head, true).status, 200) << host;
  }
  for (const char* host : {"attacker.example", "attacker.example:9101", "10.0.0.5", "[fe80::1]"}) {
    const std::string head = std::string("GET /v1/members HTTP/1.1\r\nhost: ") + host + "\r\n\r\n";
    EXPECT_EQ(RouteHttpRequest(head, true).status, 403) << host;
    EXPECT_EQ(RouteHttpRequest(head, false).status, 200) << host;  // allowed remote access
  }
  EXPECT_EQ(RouteHttpRequest("GET / HTTP/1.0\r\n\r\n", true).status, 200);  // no Host at all
}

TEST(MetricsHttp, ResponseCarriesLengthAndCloses) {
  const std::string response = FormatHttpResponse(404, "Not Found", "text/plain", "no\n");
  EXPECT_EQ(response.rfind("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                           "Content-Length: 3\r\n",
                           0),
            0u);
  EXPECT_NE(response.find("\r\nCache-Control: no-store\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nContent-Security-Policy: default-src 'self'"), std::string::npos);
  EXPECT_NE(response.find("\r\nConnection: close\r\n\r\nno\n"), std::string::npos);
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
  MetricsHttpServer server(io, &log, [&](HttpResource resource) {
    ++renders;
    return std::string(resource == HttpResource::kMetrics ? "pifleet_up 1\n" : "{}");
  });
  // metrics_listen needs a port: take one the kernel says is free.
  uint16_t port = 0;
  {
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  ASSERT_TRUE(server.Open("127.0.0.1:" + std::to_string(port)).ok());
  EXPECT_EQ(server.local_endpoint().port(), port);

  const std::string host = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  const std::string ok = Exchange(io, port, "GET /metrics HTTP/1.1\r\n" + host + "\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(ok.find("\r\n\r\npifleet_up 1\n"), std::string::npos);
  EXPECT_EQ(renders, 1);

  EXPECT_EQ(Exchange(io, port, "GET /other HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
  const std::string big = "GET /metrics HTTP/1.1\r\nX: " + std::string(kHttpRequestBytesMax, 'a');
  EXPECT_EQ(Exchange(io, port, big).rfind("HTTP/1.1 431", 0), 0u);
  EXPECT_EQ(renders, 1);
  EXPECT_EQ(server.requests(), 2u);  // the oversize head is not a request

  // The page's files come from the binary; its JSON from the render callback.
  const std::string page = Exchange(io, port, "GET / HTTP/1.1\r\n" + host + "\r\n");
  EXPECT_EQ(page.rfind("HTTP/1.1 200 OK\r\nContent-Type: text/html", 0), 0u) << page;
  EXPECT_NE(page.find("<script src=\"fleet.js\"></script>"), std::string::npos);
  const std::string script = Exchange(io, port, "GET /fleet.js HTTP/1.1\r\n" + host + "\r\n");
  EXPECT_NE(script.find("textContent"), std::string::npos);
  const std::string json = Exchange(io, port, "GET /v1/jobs HTTP/1.1\r\n" + host + "\r\n");
  EXPECT_NE(json.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_EQ(renders, 2);
  const std::string rebound = "GET /v1/jobs HTTP/1.1\r\nHost: rebound.example\r\n\r\n";
  EXPECT_EQ(Exchange(io, port, rebound).rfind("HTTP/1.1 403", 0), 0u);
  EXPECT_EQ(renders, 2);
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
