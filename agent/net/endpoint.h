// A UDP endpoint as people write it: "127.0.0.1:7101", "[::1]:7101", "pi-01.local:7101".
// Parsing is pure (no name resolution) so flags and config files fail early with a clear message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace pifleet::net {

struct Endpoint {
  std::string host;  // IPv4 dotted quad, IPv6 without brackets, or a DNS name
  uint16_t port = 0;

  // Brackets an IPv6 host: "[::1]:7101".
  std::string ToString() const;
  bool operator==(const Endpoint&) const = default;
};

// Parses "host:port". A port is required and must be 1..65535.
Status ParseEndpoint(std::string_view text, Endpoint* out);

// Parses a comma-separated list ("a:1,b:2"); empty items are an error.
Status ParseEndpointList(std::string_view text, std::vector<Endpoint>* out);

}  // namespace pifleet::net
