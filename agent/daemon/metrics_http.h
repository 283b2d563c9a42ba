// The localhost /metrics listener (DESIGN §9): minimal HTTP/1.1 on the agent's own event loop.
// GET /metrics answers the Prometheus text; any other path 404, any other method 405. One
// request per connection (Connection: close); the request head is bounded, a slow client is cut
// off, and the number of open connections is capped, so a scraper can never grow the agent.
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

// Status line, content type and body for one request head (pure; the server's one decision).
struct HttpAnswer {
  int status = 200;
  std::string reason;
  bool metrics = false;  // true: the body is the metrics text
};
HttpAnswer RouteHttpRequest(std::string_view head);
// A whole response: status line, headers (Content-Length, Connection: close), body.
std::string FormatHttpResponse(int status, const std::string& reason,
                               const std::string& content_type, const std::string& body);

// Whether `listen` ("host:port") may be used: a loopback address, unless allow_remote.
Status CheckMetricsListen(const std::string& listen, bool allow_remote);

class MetricsHttpServer {
 public:
  using Render = std::function<std::string()>;
  MetricsHttpServer(asio::io_context& io, Logger* log, Render render);
  ~MetricsHttpServer();

  // Binds and starts accepting on the loop.
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
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // connections outlive nothing
};

}  // namespace pifleet::daemon
