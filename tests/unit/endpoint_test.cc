#include "agent/net/endpoint.h"

#include <gtest/gtest.h>

namespace pifleet::net {
namespace {

TEST(Endpoint, ParsesIpv4) {
  Endpoint endpoint;
  ASSERT_TRUE(ParseEndpoint("127.0.0.1:7101", &endpoint).ok());
  EXPECT_EQ(endpoint.host, "127.0.0.1");
  EXPECT_EQ(endpoint.port, 7101);
  EXPECT_EQ(endpoint.ToString(), "127.0.0.1:7101");
}

TEST(Endpoint, ParsesBracketedIpv6) {
  Endpoint endpoint;
  ASSERT_TRUE(ParseEndpoint("[::1]:7102", &endpoint).ok());
  EXPECT_EQ(endpoint.host, "::1");
  EXPECT_EQ(endpoint.port, 7102);
  EXPECT_EQ(endpoint.ToString(), "[::1]:7102");
}

TEST(Endpoint, ParsesHostName) {
  Endpoint endpoint;
  ASSERT_TRUE(ParseEndpoint("pi-01.local:65535", &endpoint).ok());
  EXPECT_EQ(endpoint.host, "pi-01.local");
  EXPECT_EQ(endpoint.port, 65535);
}

TEST(Endpoint, RejectsBadInputWithReason) {
  const struct {
    const char* text;
    const char* reason;
  } cases[] = {
      {"", "missing port"},
      {"127.0.0.1", "missing port"},
      {":7101", "empty host"},
      {"127.0.0.1:", "port must be"},
      {"127.0.0.1:0", "port must be"},
      {"127.0.0.1:65536", "port must be"},
      {"127.0.0.1:71x", "port must be"},
      {"127.0.0.1:-1", "port must be"},
      {"::1:7101", "IPv6 addresses need brackets"},
      {"[::1:7101", "missing ']'"},
      {"[::1]7101", "missing port"},
      {"[zz::1]:7101", "bad character in IPv6"},
      {"[%4]:1", "brackets are only for IPv6"},  // found by fuzz_endpoint
      {"pi 01:7101", "bad character in host"},
  };
  for (const auto& c : cases) {
    Endpoint endpoint;
    Status status = ParseEndpoint(c.text, &endpoint);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << c.text;
    EXPECT_NE(status.message().find(c.reason), std::string::npos)
        << c.text << " -> " << status.message();
  }
}

TEST(Endpoint, ParsesList) {
  std::vector<Endpoint> endpoints;
  ASSERT_TRUE(ParseEndpointList("127.0.0.1:7101,[::1]:7102", &endpoints).ok());
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[1].ToString(), "[::1]:7102");
  EXPECT_FALSE(ParseEndpointList("127.0.0.1:7101,", &endpoints).ok());
  EXPECT_FALSE(ParseEndpointList("", &endpoints).ok());
  EXPECT_EQ(endpoints.size(), 2u);  // untouched on error
}

}  // namespace
}  // namespace pifleet::net
