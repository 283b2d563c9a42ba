// The key section of the state machine: every key command of the log (IsKeyCommand)
// lands here. `install`, `use` and `remove` change the cluster keyring (ClusterKeys), each
// member's report (kState) goes into the KeyTable, and every command is applied once per
// (client id, sequence): a `key use` retried by the CLI through a second agent may be decided
// twice, and replicas (including one restored from a snapshot) must agree on which copy counts.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "agent/base/bytes.h"
#include "agent/sm/cluster_keys.h"
#include "agent/sm/key_table.h"

namespace pifleet::sm {

// Applied key commands remembered for retries; past it the oldest is forgotten.
inline constexpr size_t kKeyResultsMax = 256;

class KeyState {
 public:
  // Applies one key command decided in `slot`: "" when applied, else why not (the same on every
  // replica). A (client id, sequence) applied before is not applied again; its first answer is
  // returned.
  std::string Apply(uint64_t slot, uint64_t client_id, uint64_t sequence, std::string_view payload);
  // The first answer to (client id, sequence) if it was applied and is still remembered.
  std::optional<std::string> Result(uint64_t client_id, uint64_t sequence) const;

  const ClusterKeys& keyring() const { return keyring_; }
  const KeyTable& reports() const { return reports_; }

  // Snapshot bytes: the keyring, the reports, then the remembered results oldest first
  // (client id u64, sequence u64, answer string), so eviction continues the same after Restore.
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  using CommandId = std::pair<uint64_t, uint64_t>;  // client id, sequence

  ClusterKeys keyring_;
  KeyTable reports_;
  std::map<CommandId, std::string> results_;
  std::deque<CommandId> results_order_;  // oldest first
};

}  // namespace pifleet::sm
