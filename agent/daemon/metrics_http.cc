#include "agent/daemon/metrics_http.h"

#include "agent/net/endpoint.h"

namespace pifleet::daemon {

HttpAnswer RouteHttpRequest(std::string_view head) {
  const size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const size_t first = line.find(' ');
  const size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos || line.substr(second + 1).rfind("HTTP/1.", 0) != 0) {
    return {400, "Bad Request", false};
  }
  const std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, second - first - 1);
  target = target.substr(0, target.find('?'));  // Prometheus may add query parameters
  if (method != "GET" && method != "HEAD") return {405, "Method Not Allowed", false};
  if (target != "/metrics") return {404, "Not Found", false};
  return {200, "OK", true};
}

std::string FormatHttpResponse(int status, const std::string& reason,
                               const std::string& content_type, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

Status CheckMetricsListen(const std::string& listen, bool allow_remote) {
  net::Endpoint endpoint;
  if (Status status = net::ParseEndpoint(listen, &endpoint); !status.ok()) {
    return Status::InvalidArgument("metrics_listen: " + status.message());
  }
  if (allow_remote || endpoint.host == "localhost") return Status::Ok();
  asio::error_code error;
  const asio::ip::address address = asio::ip::make_address(endpoint.host, error);
  if (error || !address.is_loopback()) {
    return Status::InvalidArgument(
        "metrics_listen " + listen +
        " is not a loopback address; /metrics carries cluster details, so it listens on the "
        "network only with metrics_allow_remote = true (--metrics-allow-remote)");
  }
  return Status::Ok();
}

// One exchange: read the head (bounded, timed), answer, close.
class MetricsHttpServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(MetricsHttpServer* server, asio::ip::tcp::socket socket)
      : server_(server), alive_(server->alive_), socket_(std::move(socket)), timer_(server->io_) {
    ++server_->open_connections_;
  }
  ~Connection() {
    if (*alive_) --server_->open_connections_;
  }

  void Start() {
    auto self = shared_from_this();
    timer_.expires_after(std::chrono::milliseconds(kHttpTimeoutMs));
    timer_.async_wait([self](const asio::error_code& error) {
      if (!error) self->socket_.close();  // cuts off a slow or silent client
    });
    asio::async_read_until(socket_, asio::dynamic_buffer(head_, kHttpRequestBytesMax), "\r\n\r\n",
                           [self](const asio::error_code& error, size_t) { self->OnHead(error); });
  }

 private:
  void OnHead(const asio::error_code& error) {
    if (!*alive_) return;
    if (error == asio::error::not_found) {  // the head outgrew kHttpRequestBytesMax
      return Send(FormatHttpResponse(431, "Request Header Fields Too Large", "text/plain",
                                     "request head too large\n"));
    }
    if (error) return;  // closed, reset or timed out: nothing to answer
    ++server_->requests_;
    const HttpAnswer answer = RouteHttpRequest(head_);
    if (!answer.metrics) {
      return Send(
          FormatHttpResponse(answer.status, answer.reason, "text/plain", answer.reason + "\n"));
    }
    std::string response = FormatHttpResponse(200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                                              server_->render_());
    if (head_.rfind("HEAD ", 0) == 0) response.resize(response.find("\r\n\r\n") + 4);
    Send(std::move(response));
  }

  void Send(std::string response) {
    response_ = std::move(response);
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(response_), [self](const asio::error_code&, size_t) {
      asio::error_code ignored;
      self->socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      self->socket_.close(ignored);
      self->timer_.cancel();
    });
  }

  MetricsHttpServer* server_;
  std::shared_ptr<bool> alive_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  std::string head_;
  std::string response_;
};

MetricsHttpServer::MetricsHttpServer(asio::io_context& io, Logger* log, Render render)
    : io_(io), log_(log), render_(std::move(render)), acceptor_(io), retry_timer_(io) {}

MetricsHttpServer::~MetricsHttpServer() { *alive_ = false; }

Status MetricsHttpServer::Open(const std::string& listen) {
  net::Endpoint endpoint;
  if (Status status = net::ParseEndpoint(listen, &endpoint); !status.ok()) return status;
  asio::error_code error;
  asio::ip::tcp::resolver resolver(io_);
  const auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port), error);
  if (error || results.empty()) {
    return Status::InvalidArgument("metrics_listen " + listen + ": cannot resolve the host");
  }
  const asio::ip::tcp::endpoint address = *results.begin();
  acceptor_.open(address.protocol(), error);
  if (!error) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor_.bind(address, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    asio::error_code ignored;
    acceptor_.close(ignored);
    return Status::IOError("cannot listen for /metrics on " + listen + ": " + error.message());
  }
  AcceptNext();
  return Status::Ok();
}

asio::ip::tcp::endpoint MetricsHttpServer::local_endpoint() const {
  asio::error_code error;
  return acceptor_.local_endpoint(error);
}

void MetricsHttpServer::AcceptNext() {
  acceptor_.async_accept(
      [this, alive = alive_](const asio::error_code& error, asio::ip::tcp::socket socket) {
        if (!*alive || error == asio::error::operation_aborted) return;
        if (!error) {
          if (open_connections_ >= kHttpConnectionsMax) {
            asio::error_code ignored;
            socket.close(ignored);  // busy: the scraper retries on its next interval
          } else {
            std::make_shared<Connection>(this, std::move(socket))->Start();
          }
        } else {
          // Out of descriptors, say: wait before the next try instead of spinning on the loop.
          log_->LogLimited("metrics-accept", ++accept_errors_ * kAcceptRetryMs, Level::kWarning,
                           "accepting a /metrics connection failed: " + error.message());
          retry_timer_.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
          retry_timer_.async_wait([this, alive](const asio::error_code& waited) {
            if (*alive && !waited) AcceptNext();
          });
          return;
        }
        AcceptNext();
      });
}

}  // namespace pifleet::daemon
