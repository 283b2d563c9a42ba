// Which role pattern of the LED language (docs/leds.md) a node shows, from what the agent knows
// about its place in the cluster. Pure: the agent fills a NodeView each time it looks.
#pragma once

#include <cstdint>

#include "hal/led_controller.h"

namespace pifleet::hal {

struct NodeView {
  bool started = false;         // the event loop runs (before that: booting)
  bool has_core = false;        // seeded, rejoined from cluster.meta, or a join was answered
  bool member = false;          // in the newest configuration
  bool voter = false;           // a voter of the newest configuration
  bool leader = false;          // this node is the active leader
  bool heard_any_peer = false;  // some peer has answered since the agent started
  // Time since the last leader heartbeat this node received; UINT64_MAX: never.
  uint64_t leader_silent_ms = UINT64_MAX;
  uint32_t voters_total = 0;  // voters of the newest configuration
  uint32_t voters_alive = 0;  // of them heard within the alive window, this node included
};

// booting     before the event loop runs;
// searching   no peer has answered yet (a joiner without reply, or a member alone after start);
// joining     a cluster answered but this node is not in its configuration yet;
// leader      the active leader while a majority of voters is alive;
// no-quorum   a leader without a live majority, or a member without a leader heartbeat for
//             longer than kLeaderSilentMs;
// follower    a voter hearing a leader; learner: a non-voting member hearing a leader.
Role RoleOf(const NodeView& view);

}  // namespace pifleet::hal
