// Every bound of the consensus core in one place, with the relations between them checked at
// compile time. Time is counted in ticks; the daemon maps one tick to kTickMs milliseconds.
#pragma once

#include <cstdint>

namespace pifleet::core {

inline constexpr uint32_t kTickMs = 10;

// TicksUntilDue() answers (core.h): no Tick() acts until some input arrives.
inline constexpr uint32_t kNoDeadline = UINT32_MAX;
// A counter that Tick() raises and acts on when `++count >= limit`: the call that acts, counted
// from the next (1 = the next call).
constexpr uint32_t TicksUntilCount(uint32_t count, uint32_t limit) {
  return count + 1 >= limit ? 1 : limit - count;
}

// Leader heartbeat (`Active`) period and the randomised suspicion timeout of followers.
inline constexpr uint32_t kHeartbeatTicks = 5;
// An idle leader (nothing in flight, no lease wanted) beats this many times less often, within
// what its followers' suspicion allows (Leader::HeartbeatPeriod).
inline constexpr uint32_t kIdleHeartbeatFactor = 2;
inline constexpr uint32_t kElectionTicksMin = 30;
inline constexpr uint32_t kElectionTicksMax = 60;
// Adaptive suspicion (core/election_timeout.h): the timeout's low end is kSuspectGaps times the
// largest recent gap between the leader's messages, at least kElectionTicksFloor, once
// kGapSamplesMin gaps were measured; the largest gap decays by a tick per kGapDecaySamples gaps
// below it.
inline constexpr uint32_t kElectionTicksFloor = 15;
inline constexpr uint32_t kSuspectGaps = 3;
inline constexpr uint32_t kGapSamplesMin = 20;
inline constexpr uint32_t kGapDecaySamples = 20;

// Leader leases (docs/consensus.md, "Lease reads"). A voter that grants a lease to a ballot
// promises no higher ballot for kLeaseTicks of its own ticks from the grant; the leader counts
// its lease kLeaseTicks - kLeaseMarginTicks of its own ticks from the tick it asked. So the
// lease is safe while the nodes' tick rates differ by under 1/21 (4.7 %): the acceptor refuses
// for at least (kLeaseTicks - 1) of its ticks, a tick lost to the grant's place within one.
// A leader asks for grants while lease reads came within kLeaseWantTicks.
inline constexpr uint32_t kLeaseTicks = 12;
inline constexpr uint32_t kLeaseMarginTicks = 2;
inline constexpr uint32_t kLeaseWantTicks = 500;

// Prepare / Accept retransmission to acceptors that have not answered yet.
inline constexpr uint32_t kRetransmitTicks = 10;
// A replica re-sends its undecided proposals to the leader this often.
inline constexpr uint32_t kRequestRetransmitTicks = 20;
// A replica that knows it is behind asks a peer for decisions at most this often.
inline constexpr uint32_t kCatchupTicks = 10;

// Pipeline window: slots in flight, and the reconfiguration delay alpha (a change decided in
// slot s governs slots from s + kWindowSlots on).
inline constexpr uint64_t kWindowSlots = 8;
// Batching: one slot carries at most this many commands / payload bytes. One command carries a
// kv value of up to 64 KiB (sm::kKvValueBytesMax) with its key and framing; the wire fragments
// messages up to wire::kMessageBytesMax, which a full batch or catch-up reply stays under.
inline constexpr uint32_t kBatchCommandsMax = 64;
inline constexpr uint32_t kBatchBytesMax = 80 * 1024;
inline constexpr uint32_t kCommandBytesMax = 68 * 1024;
// Commands the leader queues and proposals a replica tracks before Propose() pushes back.
inline constexpr uint32_t kPendingCommandsMax = 4096;
inline constexpr uint32_t kOutstandingProposalsMax = 1024;
// Decisions per catch-up reply, and their payload bytes (a reply holds at least one decision).
inline constexpr uint32_t kCatchupSlotsMax = 64;
inline constexpr uint32_t kCatchupBytesMax = kBatchBytesMax;
// Accepted values per restart-recovery reply (core/recovery.h); a reply also stops once its
// values carry kBatchBytesMax payload bytes, so it fits a fragmented message.
inline constexpr uint32_t kRecoveryPValuesMax = 8;
// Snapshot transfer: chunk size (one chunk with its framing fits one datagram), chunks a puller
// keeps requested ahead, retransmit rounds without progress before it gives the source up, and
// the largest snapshot it accepts.
inline constexpr uint64_t kSnapshotChunkBytes = 1024;
inline constexpr uint64_t kSnapshotPullWindow = 8;
inline constexpr uint32_t kSnapshotPullStallsMax = 10;
inline constexpr uint64_t kSnapshotBytesMax = 256ull * 1024 * 1024;
// Cluster size bounds.
inline constexpr uint32_t kVotersMax = 7;
inline constexpr uint32_t kNodesMax = 256;

static_assert(kHeartbeatTicks * 3 <= kElectionTicksMin, "a follower must miss several beats");
static_assert(kHeartbeatTicks * kIdleHeartbeatFactor * kSuspectGaps <= kElectionTicksMin,
              "an idle leader's beats stay within the followers' suspicion");
static_assert(kElectionTicksMin < kElectionTicksMax, "suspicion needs a random spread");
static_assert(kHeartbeatTicks * kSuspectGaps <= kElectionTicksFloor &&
                  kElectionTicksFloor <= kElectionTicksMin,
              "an adaptive timeout still spans several beats, and only ever shortens");
static_assert(kLeaseTicks <= kElectionTicksFloor,
              "a dead leader's grants run out before a follower suspects it: no slower failover");
static_assert(kLeaseTicks - kLeaseMarginTicks > kHeartbeatTicks + 1,
              "the next heartbeat's grants renew a lease before it runs out");
static_assert(kLeaseMarginTicks >= 2, "a tick of grant placement and a tick of drift");
static_assert(kRetransmitTicks < kElectionTicksFloor, "retransmit well before suspicion");
static_assert(kRetransmitTicks < kElectionTicksMin, "retransmit well before suspicion");
static_assert(kWindowSlots >= 1 && kWindowSlots <= kCatchupSlotsMax, "window fits a catch-up");
static_assert(kCommandBytesMax <= kBatchBytesMax, "one command always fits a batch");
static_assert(kBatchCommandsMax <= kPendingCommandsMax, "a batch drains the queue");
static_assert(kSnapshotPullWindow >= 1 && kSnapshotPullWindow <= kCatchupSlotsMax);
static_assert(kVotersMax % 2 == 1 && kVotersMax <= kNodesMax, "odd voter bound");

}  // namespace pifleet::core
