#include "agent/daemon/metrics_http.h"

#include <cctype>

#include "agent/daemon/fleet_page.h"
#include "agent/net/endpoint.h"

namespace pifleet::daemon {

namespace {

struct Route {
  std::string_view target;
  HttpResource resource;
  std::string_view file;
  std::string_view content_type;
};

constexpr std::string_view kJson = "application/json";
constexpr Route kRoutes[] = {
    {"/metrics", HttpResource::kMetrics, "", "text/plain; version=0.0.4; charset=utf-8"},
    {"/", HttpResource::kPageFile, "index.html", "text/html; charset=utf-8"},
    {"/index.html", HttpResource::kPageFile, "index.html", "text/html; charset=utf-8"},
    {"/fleet.css", HttpResource::kPageFile, "fleet.css", "text/css; charset=utf-8"},
    {"/fleet.js", HttpResource::kPageFile, "fleet.js", "text/javascript; charset=utf-8"},
    {"/v1/status", HttpResource::kStatus, "", kJson},
    {"/v1/members", HttpResource::kMembers, "", kJson},
    {"/v1/jobs", HttpResource::kJobs, "", kJson},
};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The Host header's value without its port ("" when there is none).
std::string HostOf(std::string_view head) {
  size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const size_t end = head.find("\r\n", at + 2);
    const std::string_view line = head.substr(at + 2, end - at - 2);
    if (Lower(line.substr(0, 5)) == "host:") {
      std::string_view value = line.substr(5);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      if (!value.empty() && value.front() == '[') {  // [::1]:9101
        return std::string(value.substr(1, value.find(']') - 1));
      }
      return Lower(value.substr(0, value.find(':')));
    }
    at = end;
  }
  return "";
}

HttpAnswer Answer(int status, const char* reason) {
  HttpAnswer answer;
  answer.status = status;
  answer.reason = reason;
  return answer;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  asio::error_code error;
  const asio::ip::address address = asio::ip::make_address(host, error);
  return !error && address.is_loopback();
}

}  // namespace

HttpAnswer RouteHttpRequest(std::string_view head, bool loopback_host_only) {
  const size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const size_t first = line.find(' ');
  const size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos || line.substr(second + 1).rfind("HTTP/1.", 0) != 0) {
    return Answer(400, "Bad Request");
  }
  const std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, second - first - 1);
  target = target.substr(0, target.find('?'));  // Prometheus may add query parameters
  if (method != "GET" && method != "HEAD") return Answer(405, "Method Not Allowed");
  if (loopback_host_only) {
    const std::string host = HostOf(head);
    if (!host.empty() && !IsLoopbackHost(host)) return Answer(403, "Forbidden");
  }
  for (const Route& route : kRoutes) {
    if (route.target == target) {
      HttpAnswer answer = Answer(200, "OK");
      answer.resource = route.resource;
      answer.file = route.file;
      answer.content_type = route.content_type;
      return answer;
    }
  }
  return Answer(404, "Not Found");
}

std::string FormatHttpResponse(int status, const std::string& reason,
                               const std::string& content_type, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
         "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n"
         "Connection: close\r\n\r\n" +
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
    const HttpAnswer answer = RouteHttpRequest(head_, server_->loopback_host_only_);
    if (answer.resource == HttpResource::kNone) {
      return Send(
          FormatHttpResponse(answer.status, answer.reason, "text/plain", answer.reason + "\n"));
    }
    const std::string body = answer.resource == HttpResource::kPageFile
                                 ? std::string(FindEmbeddedFile(answer.file))
                                 : server_->render_(answer.resource);
    std::string response = FormatHttpResponse(200, "OK", answer.content_type, body);
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
  loopback_host_only_ = address.address().is_loopback();
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
