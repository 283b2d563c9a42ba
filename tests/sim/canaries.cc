#include "tests/sim/canaries.h"

namespace pifleet::sim {

const std::vector<CanaryInfo>& Canaries() {
  static const std::vector<CanaryInfo> kCanaries = {
      {"forget-promise", core::Canary::kForgetPromise,
       "an acceptor forgets its promise when it restarts"},
      {"quorum-one-short", core::Canary::kQuorumOneShort,
       "quorums are one vote smaller than a majority"},
      {"skip-phase1", core::Canary::kSkipPhase1,
       "a preempted leader takes a higher ballot without running phase 1"},
      {"apply-out-of-order", core::Canary::kApplyOutOfOrder,
       "a replica applies decisions as they arrive, holes or not"},
      {"reply-before-sync", core::Canary::kReplyBeforeSync,
       "an acceptor sends promises and accepted replies before its records are fsynced"},
      {"vote-after-loss", core::Canary::kVoteAfterLoss,
       "a node whose newest synced WAL records were lost votes at once after its restart, "
       "without restart recovery"},
      {"reconfig-without-cas", core::Canary::kReconfigWithoutCas,
       "a decided reconfiguration applies whatever configuration it replaces, so a replayed one "
       "takes effect again"},
      {"job-stale-attempt", core::Canary::kJobStaleAttempt,
       "the job table commits a result from a fenced run (lease expired, node claimed again, "
       "or another run's result won) (only the job checker can catch this one)"},
      {"lease-outlives-expiry", core::Canary::kLeaseOutlivesExpiry,
       "a leader's lease never runs out, so a leader cut off from the others answers lease "
       "reads from a state a new leader has moved past (only the linearizability checker can "
       "catch this one)"},
      {"decision-names-any-accept", core::Canary::kDecisionNamesAnyAccept,
       "a decision record names this node's accepted value for the slot even when that is not "
       "the decided value, so a restart replays another value"},
      {"stale-read", core::Canary::kNone,
       "a node answers reads from its own state without ordering them (only the "
       "linearizability checker can catch this one)",
       true},
      {"watch-resume-at-last", core::Canary::kNone,
       "a watcher that moves to another node asks from the last revision it received, not from "
       "the cursor of the last reply (only the watch checker can catch this one)",
       false, true},
      {"group-ack-before-process", core::Canary::kNone,
       "a consumer group member acknowledges what it claimed before processing it, as an "
       "auto-ack consumer does (only the group checker can catch this one)",
       false, false, true},
  };
  return kCanaries;
}

const CanaryInfo* CanaryByName(const std::string& name) {
  for (const CanaryInfo& info : Canaries()) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

}  // namespace pifleet::sim
