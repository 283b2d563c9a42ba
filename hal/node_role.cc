#include "hal/node_role.h"

#include "hal/constants.h"

namespace pifleet::hal {

Role RoleOf(const NodeView& view) {
  if (!view.started) return Role::kBooting;
  if (!view.has_core) return view.heard_any_peer ? Role::kJoining : Role::kSearching;
  if (!view.member) return Role::kJoining;
  if (view.leader) {
    return 2 * view.voters_alive > view.voters_total ? Role::kLeader : Role::kNoQuorum;
  }
  if (!view.heard_any_peer) return Role::kSearching;
  if (view.leader_silent_ms > kLeaderSilentMs) return Role::kNoQuorum;
  return view.voter ? Role::kFollower : Role::kLearner;
}

}  // namespace pifleet::hal
