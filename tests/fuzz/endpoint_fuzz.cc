// Endpoint parsing takes flags and config-file text; whatever it is given, it must either accept
// a value that prints back to something that parses to the same value, or reject it cleanly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/base/assert.h"
#include "agent/net/endpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<pifleet::net::Endpoint> endpoints;
  if (!pifleet::net::ParseEndpointList(text, &endpoints).ok()) return 0;
  for (const auto& endpoint : endpoints) {
    PIFLEET_ASSERT(endpoint.port != 0);
    pifleet::net::Endpoint again;
    PIFLEET_ASSERT(pifleet::net::ParseEndpoint(endpoint.ToString(), &again).ok());
    PIFLEET_ASSERT(again == endpoint);
  }
  return 0;
}
