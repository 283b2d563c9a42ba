// Every bound of `pifleet agent` in one place (TigerBeetle's constants file): time in ticks of
// core::kTickMs (or in ms where the clock is not the loop's), sizes in bytes or counts. The
// relations between them are asserted below.
#pragma once

#include <cstddef>
#include <cstdint>

#include "agent/core/constants.h"

namespace pifleet::daemon {

constexpr uint64_t TicksFor(uint64_t ms) { return ms / core::kTickMs; }

// The loop (agent_loop.cc).
inline constexpr uint64_t kMaintenanceTicks = TicksFor(1000);  // autopilot, expiry, status line
// At most this many handlers (datagrams, mostly) in one burst of the loop: enough for a leader's
// 64 waiting clients to share a slot, few enough that the first of them is not kept waiting.
inline constexpr size_t kBurstHandlersMax = 64;
// A loop this many ticks late (a suspended process, a stalled machine) restarts its tick
// schedule from now instead of running the missed ticks back to back.
inline constexpr uint64_t kTickLateTicksMax = 10;
// A loop that wakes this long after its planned wake (a handler or the machine held it) logs
// it, at most once per kMaintenanceTicks: half the followers' least suspicion timeout
// (core::kElectionTicksFloor), so a stall that may cost a leader its place is in the journal.
inline constexpr uint64_t kLoopLateWarnMs = core::kElectionTicksFloor * core::kTickMs / 2;
// The longest an idle loop sleeps (agent_loop.cc: it wakes for the first tick that may have
// work): what changes only with time, such as the status LED's view of which peers are alive,
// is at most this late. Above an idle leader's beat period (100 ms), so a follower hearing the
// beats never wakes on its timer as well (issue 20: idle CPU is wake-ups).
inline constexpr uint64_t kIdleTicksMax = TicksFor(250);
// systemd's watchdog is pinged this many times per WatchdogSec.
inline constexpr uint64_t kWatchdogPingsPerInterval = 2;

// Joining (joiner.cc).
inline constexpr uint64_t kJoinRetryTicks = TicksFor(500);  // between join attempts
// A joiner whose requests go unanswered says why: first after this long, then again every
// kJoinWarnEveryTicks (checked on join attempts, so within one retry period of it).
inline constexpr uint64_t kJoinSilentTicks = TicksFor(3000);
inline constexpr uint64_t kJoinWarnEveryTicks = TicksFor(30'000);
// Addresses a not-yet-joined node collects from beacons before it stops adding more.
inline constexpr size_t kDiscoveredAddressesMax = 8;

// Clients (client_requests.cc): how long an answer is waited for before the request is
// forgotten (the client has given up or retried by then); key commands wait as long.
inline constexpr uint64_t kClientWaitTicks = TicksFor(10'000);
// Client sessions (own_proposals.cc): the leader looks for idle ones this often and proposes
// the expiry of those unused this long (by the log's clock, docs/formats.md).
inline constexpr uint64_t kSessionExpireCheckTicks = TicksFor(10'000);
inline constexpr uint64_t kSessionIdleMs = uint64_t{10} * 60 * 1000;
// The agent's own commands (internal_session.h): queued at most this many (the oldest is
// dropped past it), and proposed again when their result has not come this long.
inline constexpr size_t kInternalQueueMax = 64;
inline constexpr uint64_t kInternalResendTicks = TicksFor(5000);

// Leases (lease_requests.cc): the leader looks for silent leases this often, so an expiry is
// proposed at most this much (and one commit) after the TTL has run out; it proposes one
// expiry command per kMaintenanceTicks at most (a repeat finds the lease gone and does nothing).
inline constexpr uint64_t kLeaseCheckTicks = TicksFor(200);
// Jobs (job_host.cc): the worker's claims, beats, kills and the leader's expiry, this often.
inline constexpr uint64_t kJobTickTicks = TicksFor(100);

// Liveness as the autopilot and the LEDs see it (autopilot.cc, node_leds.cc).
inline constexpr uint64_t kAliveTicks = TicksFor(3000);         // heard within: alive
inline constexpr uint64_t kVoterDeadTicks = TicksFor(30'000);   // silent this long: replaced
inline constexpr uint64_t kConfigSettleTicks = TicksFor(2000);  // between configuration proposals

// Keys (key_rotation.cc).
inline constexpr uint64_t kKeyReportTicks = TicksFor(2000);  // reports of an unchanged keyring
inline constexpr size_t kClientKeyIdsMax = 256;  // clients answered in a non-primary key

// Logging at a limited rate (log.h): per key, at most kLogLimitBurst lines in each window.
inline constexpr uint64_t kLogLimitIntervalMs = 10'000;
inline constexpr uint32_t kLogLimitBurst = 5;

// The /metrics listener (metrics_http.h); its clock is asio's, not the tick.
inline constexpr size_t kHttpRequestBytesMax = 4096;  // request line + headers
inline constexpr uint32_t kHttpTimeoutMs = 5000;      // whole exchange, per connection
inline constexpr size_t kHttpConnectionsMax = 8;
inline constexpr uint32_t kAcceptRetryMs = 100;  // after a failed accept (no descriptors left)

static_assert(core::kTickMs > 0 && 1000 % core::kTickMs == 0, "whole ticks per second");
static_assert(kMaintenanceTicks * core::kTickMs == 1000, "maintenance runs once a second");
static_assert(kTickLateTicksMax > 1 && kTickLateTicksMax < kMaintenanceTicks,
              "a late loop catches up a few ticks, never a maintenance round");
static_assert(kJoinRetryTicks * core::kTickMs == 500 && kJoinRetryTicks < kMaintenanceTicks,
              "a joiner asks more often than maintenance");
static_assert(kJoinSilentTicks > kJoinRetryTicks && kJoinWarnEveryTicks > kJoinSilentTicks,
              "a joiner warns after several unanswered attempts, and rarely");
static_assert(kAliveTicks > kMaintenanceTicks,
              "members report to the leader once per maintenance round: alive spans more");
static_assert(kSessionIdleMs > kClientWaitTicks * core::kTickMs,
              "a session is never expired while one of its commands is awaited");
static_assert(kInternalResendTicks * core::kTickMs == 5000 &&
                  kInternalResendTicks > kMaintenanceTicks,
              "the agent's own command is resent after several maintenance rounds");
static_assert(kVoterDeadTicks > 3 * kAliveTicks, "a voter is replaced only long after it is late");
static_assert(kConfigSettleTicks >= kMaintenanceTicks,
              "one configuration change per round at most");
static_assert(kKeyReportTicks >= kMaintenanceTicks, "an unchanged keyring is reported rarely");
static_assert(kAcceptRetryMs < kHttpTimeoutMs, "a failed accept is retried within a timeout");
static_assert(kLeaseCheckTicks > 0 && kLeaseCheckTicks < kMaintenanceTicks,
              "silent leases are looked for more often than expiries are proposed");
static_assert(kJobTickTicks > 0 && kJobTickTicks < kMaintenanceTicks,
              "the job worker reacts within a fraction of a second");

}  // namespace pifleet::daemon
