#include "agent/net/endpoint.h"

#include <charconv>

namespace pifleet::net {
namespace {

constexpr size_t kHostBytesMax = 253;  // longest DNS name

bool ValidHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool ValidIpv6Char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' ||
         c == '.' || c == '%';
}

Status Invalid(std::string_view text, const char* why) {
  return Status::InvalidArgument("endpoint '" + std::string(text) + "': " + why +
                                 " (expected host:port, for example 127.0.0.1:7101 or [::1]:7101)");
}

}  // namespace

std::string Endpoint::ToString() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Status ParseEndpoint(std::string_view text, Endpoint* out) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return Invalid(text, "missing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') return Invalid(text, "missing port");
    port = text.substr(close + 2);
    for (char c : host) {
      if (!ValidIpv6Char(c)) return Invalid(text, "bad character in IPv6 address");
    }
    // Brackets mark an IPv6 address; anything else would not print back the same way.
    if (host.find(':') == std::string_view::npos) {
      return Invalid(text, "brackets are only for IPv6 addresses");
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Invalid(text, "missing port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    for (char c : host) {
      if (!ValidHostChar(c)) {
        return Invalid(text, c == ':' ? "IPv6 addresses need brackets" : "bad character in host");
      }
    }
  }
  if (host.empty()) return Invalid(text, "empty host");
  if (host.size() > kHostBytesMax) return Invalid(text, "host too long");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    return Invalid(text, "port must be a number from 1 to 65535");
  }
  out->host = std::string(host);
  out->port = static_cast<uint16_t>(value);
  return Status::Ok();
}

Status ParseEndpointList(std::string_view text, std::vector<Endpoint>* out) {
  std::vector<Endpoint> result;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    Endpoint endpoint;
    Status status = ParseEndpoint(item, &endpoint);
    if (!status.ok()) return status;
    result.push_back(std::move(endpoint));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  *out = std::move(result);
  return Status::Ok();
}

}  // namespace pifleet::net
