// How a core is set up. The Seed role is `initial_config`: every node of a new cluster starts
// from the same configuration for slot 1.
#pragma once

#include <cstdint>

#include "agent/core/constants.h"
#include "agent/core/types.h"

namespace pifleet::core {

// Known-unsafe variants, switched on only by the simulator to prove its checkers catch them.
enum class Canary : uint8_t {
  kNone,
  kForgetPromise,        // a restarted acceptor forgets its promise
  kQuorumOneShort,       // quorums one vote smaller than a majority
  kSkipPhase1,           // a preempted leader takes the next ballot without phase 1
  kApplyOutOfOrder,      // a replica applies decisions as they arrive, holes or not
  kReplyBeforeSync,      // an acceptor's promises and accepted replies leave before the fsync
  kVoteAfterLoss,        // a restarted acceptor votes at once, without recovery (core/recovery.h)
  kReconfigWithoutCas,   // a reconfiguration applies whatever configuration it replaces
  kJobStaleAttempt,      // the job table commits a result of a fenced run (sm/jobs.h)
  kLeaseOutlivesExpiry,  // a leader's lease never runs out (core/leader_lease.h)
  kDecisionNamesAnyAccept,  // a decision record names this node's accept even of another value
};

struct CoreOptions {
  NodeId id = 0;
  Config initial_config;
  uint64_t seed = 1;
  uint32_t batch_commands_max = kBatchCommandsMax;  // 1 turns batching off
  uint32_t heartbeat_ticks = kHeartbeatTicks;
  uint32_t election_ticks_min = kElectionTicksMin;
  uint32_t election_ticks_max = kElectionTicksMax;
  Canary canary = Canary::kNone;
  // Run restart recovery (core/recovery.h) before voting: the driver sets it for a core built
  // from a node's disk, whose newest synced records may be gone without a trace.
  bool recover_on_start = false;
};

}  // namespace pifleet::core
