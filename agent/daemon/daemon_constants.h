// Every bound of `pifleet agent` in one place (TigerBeetle's constants file): time in ticks of
// core::kTickMs, sizes in bytes or counts. The relations between them are asserted below.
#pragma once

#include <cstddef>
#include <cstdint>

#include "agent/core/constants.h"

namespace pifleet::daemon {

constexpr uint64_t TicksFor(uint64_t ms) { return ms / core::kTickMs; }

// The loop.
inline constexpr uint64_t kMaintenanceTicks = TicksFor(1000);  // autopilot, expiry, status line
inline constexpr uint64_t kJoinRetryTicks = TicksFor(500);     // between join attempts
// A joiner whose requests go unanswered says why: first after this long, then again every
// kJoinWarnEveryTicks (checked on join attempts, so within one retry period of it).
inline constexpr uint64_t kJoinSilentTicks = TicksFor(3000);
inline constexpr uint64_t kJoinWarnEveryTicks = TicksFor(30'000);

// Clients: how long an answer is waited for before the request is forgotten (the client has
// given up or retried by then).
inline constexpr uint64_t kClientWaitTicks = TicksFor(10'000);
inline constexpr uint64_t kKeyWaitTicks = TicksFor(10'000);  // a key command to apply
// Client sessions (agent_sessions.cc): the leader looks for idle ones this often and proposes
// the expiry of those unused this long (by the log's clock, docs/formats.md).
inline constexpr uint64_t kSessionExpireCheckTicks = TicksFor(10'000);
inline constexpr uint64_t kSessionIdleMs = 10 * 60 * 1000;

// Liveness as the autopilot and the LEDs see it.
inline constexpr uint64_t kAliveTicks = TicksFor(3000);  // heard within: alive
inline constexpr uint64_t kVoterDeadTicks =
    TicksFor(30'000);  // a voter silent this long is replaced
inline constexpr uint64_t kConfigSettleTicks = TicksFor(2000);  // between configuration proposals

// Keys.
inline constexpr uint64_t kKeyReportTicks = TicksFor(2000);  // reports of an unchanged keyring
inline constexpr size_t kClientKeyIdsMax = 256;  // clients answered in a non-primary key

static_assert(core::kTickMs > 0 && 1000 % core::kTickMs == 0, "whole ticks per second");
static_assert(kMaintenanceTicks * core::kTickMs == 1000, "maintenance runs once a second");
static_assert(kJoinRetryTicks < kMaintenanceTicks, "a joiner asks more often than maintenance");
static_assert(kJoinSilentTicks > kJoinRetryTicks && kJoinWarnEveryTicks > kJoinSilentTicks,
              "a joiner warns after several unanswered attempts, and rarely");
static_assert(kAliveTicks > kMaintenanceTicks,
              "members report to the leader once per maintenance round: alive spans more");
static_assert(kSessionIdleMs > kClientWaitTicks * core::kTickMs,
              "a session is never expired while one of its commands is awaited");
static_assert(kVoterDeadTicks > 3 * kAliveTicks, "a voter is replaced only long after it is late");
static_assert(kConfigSettleTicks >= kMaintenanceTicks,
              "one configuration change per round at most");

}  // namespace pifleet::daemon
