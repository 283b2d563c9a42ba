// Bounds of the members table's text (DESIGN §6). Names come from a config file or a host name
// and reach every replica and every `pifleet members`: they are checked at config load (exit 2)
// and again at the edge, when a join request arrives (agent/daemon), with CheckMemberText.
#pragma once

#include <cstddef>

#include "agent/base/status.h"
#include "agent/sm/constants.h"

namespace pifleet::sm {

struct Member;

// A node name is a host name (HOST_NAME_MAX is 64 on Linux).
inline constexpr size_t kMemberNameBytesMax = 64;
// Address, requested role, agent version, board model, serial number: what the table stores.
inline constexpr size_t kMemberTextBytesMax = kMemberStringBytesMax;
static_assert(kMemberNameBytesMax <= kMemberStringBytesMax, "a valid name is stored whole");
// The cluster name is part of every node's configuration and of discovery beacons.
inline constexpr size_t kClusterNameBytesMax = 64;

// Every text field of `member` within its bound and free of control characters.
Status CheckMemberText(const Member& member);

}  // namespace pifleet::sm
