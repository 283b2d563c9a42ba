// The replicated state machine the agent applies decided commands to: client sessions, the
// key-value store, the members table and the key section (cluster keyring, members' key
// reports) and the job table, told apart by the first payload byte (kv kinds 1..5, members
// 0x10..0x11, keys 0x20..0x23, sessions 0x30..0x31, leases 0x40..0x43, jobs 0x60..0x65,
// topics 0x70..0x73 (kept in the kv store, sm/topics.h)). Every
// command but a session command carries a registered (session, sequence) and applies at most once
// (agent/sm/sessions.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/sm/jobs.h"
#include "agent/sm/key_state.h"
#include "agent/sm/kv.h"
#include "agent/sm/leases.h"
#include "agent/sm/members.h"
#include "agent/sm/sessions.h"

namespace pifleet::sm {

class StateMachine {
 public:
  // Applies one decided application command. Malformed payloads give ok=false on every replica.
  // A key command's result: ok, or ok=false with the reason in `output`. A registration's
  // result names the new session; a command of an unknown session or a stale sequence is
  // refused (outcome kRefused), a retry of the last one answered with its first result.
  KvResult Apply(uint64_t slot, uint64_t session, uint64_t sequence, const std::string& payload);

  const KvStore& kv() const { return kv_; }
  const LeaseTable& leases() const { return leases_; }
  const MembersTable& members() const { return members_; }
  const KeyState& keys() const { return keys_; }
  const SessionTable& sessions() const { return sessions_; }
  const JobTable& jobs() const { return jobs_; }
  // The simulator's job-stale-attempt canary (core::Canary::kJobStaleAttempt): never in the agent.
  void SetJobStaleCanary(bool on) { job_stale_canary_ = on; }
  bool job_stale_canary() const { return job_stale_canary_; }

  // The whole state as bytes, identical on every replica that applied the same slots:
  // "PFSM" | version u8 (7) | kv (revision, keys in order with their revisions) | leases | client
  // sessions | members | keys (cluster keyring, key reports, remembered key results) | removed ids
  // | jobs. Restore takes such bytes back; on any malformation or another version it returns false
  // and changes nothing. `size_hint_bytes`: room reserved up front (about the expected size).
  std::string Snapshot(size_t size_hint_bytes = 0) const;
  // The same bytes appended to *out (the core's snapshot blob, built in place).
  void AppendSnapshot(std::string* out) const;
  bool Restore(std::string_view bytes);
  // XXH3-64 of Snapshot() (agent/base/fast_hash.h): the state hash the simulator compares
  // across replicas after every decision (the agent itself computes none).
  uint64_t StateHash() const;

 private:
  KvResult ApplySessionCommand(const std::string& payload);
  KvResult ApplyLeaseCommand(const std::string& payload);
  KvResult Execute(uint64_t slot, uint64_t session, uint64_t sequence, const std::string& payload);

  SessionTable sessions_;
  KvStore kv_;
  LeaseTable leases_;
  MembersTable members_;
  KeyState keys_;
  JobTable jobs_;
  bool job_stale_canary_ = false;
};

}  // namespace pifleet::sm
