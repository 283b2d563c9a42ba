// Simulated clients: each runs one key-value operation at a time on a small key set, sends it
// to a random node, retries the same (client id, sequence) at another node after a timeout, and
// records its history (call and return times) for the linearizability checker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/core/rng.h"
#include "agent/sm/kv_op.h"
#include "tests/sim/lin/linearizability.h"

namespace pifleet::sim {

inline constexpr uint32_t kSimKeys = 3;
inline constexpr int64_t kClientTimeoutUs = 250'000;
inline constexpr size_t kNotRecorded = SIZE_MAX;

// Registrations are proposed under (kRegisterIdBit | client id, sequence): never a session id.
inline constexpr uint64_t kRegisterIdBit = uint64_t{1} << 62;

struct SimClient {
  uint64_t id = 0;
  uint64_t session = 0;  // 0: register first (again after a refusal)
  uint64_t sequence = 0;
  bool waiting = false;  // an operation is outstanding
  uint32_t attempt = 0;
  sm::KvOp op;
  size_t history_index = 0;  // the outstanding operation's entry in the history (or kNotRecorded)
};

class ClientPool {
 public:
  // Records the first `history_ops_max` operations. Once an operation goes unrecorded (its
  // call time is the cut), a recorded operation that returns at or after the cut is kept as
  // pending: it may have seen an unrecorded write, and the checker must not judge its answer.
  ClientPool(core::Rng& rng, uint32_t clients, size_t history_ops_max = SIZE_MAX);

  // Starts the next operation of `client` at `now_us`.
  const sm::KvOp& Begin(SimClient& client, int64_t now_us);
  // Records the answer; false when it is stale (an older sequence or already answered). A
  // refused command (its session expired) ends with an unknown outcome: it may have been
  // applied before its session went, so it stays pending for the checker, and the next
  // operation registers a new session.
  bool Complete(uint64_t client_id, uint64_t sequence, const sm::KvResult& result, int64_t now_us);
  // A registration's answer: true when `client_id` was waiting for it (it sends its operation
  // next, in the new session).
  bool Registered(uint64_t client_id, uint64_t sequence, uint64_t session);
  // The client whose command carries this client id (a session or a registration), or 0.
  uint64_t ClientOf(uint64_t command_client_id) const;
  bool AllIdle() const;
  uint64_t completed() const { return completed_; }
  std::vector<SimClient>& clients() { return clients_; }
  const std::vector<lin::Operation>& history() const { return history_; }

 private:
  core::Rng& rng_;
  std::vector<SimClient> clients_;
  std::vector<lin::Operation> history_;
  size_t history_ops_max_;
  int64_t cut_us_ = -1;  // call time of the first unrecorded operation
  uint64_t completed_ = 0;
};

}  // namespace pifleet::sim
