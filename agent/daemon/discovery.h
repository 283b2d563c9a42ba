// LAN discovery (`pifleet agent --discover`, docs/configuration.md): members send a sealed
// beacon (agent/wire/beacon.h) every discover_interval_ms to the discover_group multicast
// group, with broadcast as the fallback; a node in no cluster yet joins through the first
// member it hears. The Agent's part (the
// beacon socket) lives in discovery.cc beside these checks; joiner.cc joins through what it hears.
#pragma once

#include <string>

#include "agent/base/status.h"

namespace pifleet::daemon {

// discover_group must be "a.b.c.d:port" with an IPv4 multicast address (224.0.0.0/4).
Status CheckDiscoverGroup(const std::string& group);

}  // namespace pifleet::daemon
