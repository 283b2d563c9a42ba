// The agent's local HTTP listener (DESIGN §9): minimal HTTP/1.1 on the agent's own event loop.
// GET /metrics answers the Prometheus text; / the fleet page (fleet_page.h) with its JSON at
// /v1/status, /v1/members and /v1/jobs; any other path 404, any other method 405. One request
// per connection (Connection: close); the request head is bounded, a slow client is cut off,
// and the number of open connections is capped, so a scraper can never grow the agent. On a
// loopback listener a request must name a loopback host: a web page elsewhere cannot read the
// fleet's details through a DNS name that points at 127.0.0.1 (DNS rebinding).
#pragma once

#include <asio.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/daemon/daemon_constants.h"
#include "agent/daemon/log.h"

namespace pifleet::daemon {

// What a request asks for. The page's own files are embedded; the rest the agent renders.
enum class HttpResource : uint8_t { kNone, kMetrics, kPageFile, kStatus, kMembers, kJobs };

// The status line and what to answer for one request head (pure; the server's one decision).
struct HttpAnswer {
  int status = 200;
  std::string reason;
  HttpResource resource = HttpResource::kNone;  // kNone: the body is the reason
  std::string file;                             // for kPageFile: "index.html", ...
  std::string content_type;
};
// `loopback_host_only`: refuse (403) a request whose Host header names anything but a loopback
// address or "localhost".
HttpAnswer RouteHttpRequest(std::string_view head, bool loopback_host_only);
// A whole response: status line, headers (Content-Length, Connection: close, no caching, no
// content sniffing, scripts and styles from this origin only), body.
std::string FormatHttpResponse(int status, const std::string& reason,
                               const std::string& content_type, const std::string& body);

// Whether `listen` ("host:port") may be used: a loopback address, unless allow_remote.
Status CheckMetricsListen(const std::string& listen, bool allow_remote);

class MetricsHttpServer {
 public:
  // The body for kMetrics, kStatus, kMembers or kJobs.
  using Render = std::function<std::string(HttpResource)>;
  MetricsHttpServer(asio::io_context& io, Logger* log, Render render);
  ~MetricsHttpServer();

  // Binds and starts accepting on the loop. A loopback address checks each request's Host.
  Status Open(const std::string& listen);
  asio::ip::tcp::endpoint local_endpoint() const;
  uint64_t requests() const { return requests_; }

 private:
  class Connection;
  void AcceptNext();

  asio::io_context& io_;
  Logger* log_;
  Render render_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  uint64_t accept_errors_ = 0;
  size_t open_connections_ = 0;
  uint64_t requests_ = 0;
  bool loopback_host_only_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // connections outlive nothing
};

}  // namespace pifleet::daemon
