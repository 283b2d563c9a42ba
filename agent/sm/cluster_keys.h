// The cluster keyring as the replicated log defines it (docs/security.md, "Key rotation").
// A cluster's first key reaches each node through its key_file, never through the log, so what
// the log defines is a change on top of whatever keys a node started with: the keys `install`
// added (with their 32-byte material) that no later `remove` dropped, the ids `remove` dropped
// that no later `install` brought back, and the primary the last `use` chose. Every replica
// holds the same ClusterKeys and state-machine snapshots carry it, so a node that catches up
// from a snapshot learns every key installed before it; MergeInto turns it into that node's
// own keyring.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/base/bytes.h"
#include "agent/sm/key_commands.h"
#include "agent/wire/keyring.h"

namespace pifleet::sm {

class ClusterKeys {
 public:
  // Applies an install, use or remove decided in `slot` (a kState report is not for this class):
  // "" when applied, else why not, and nothing changes. The reasons depend on this state only,
  // so every replica answers the same. changed_slot() moves to `slot` when anything changed.
  std::string Apply(uint64_t slot, const KeyCommand& command);

  const std::map<uint8_t, wire::KeyBytes>& keys() const { return keys_; }  // by key id
  const std::set<uint8_t>& removed() const { return removed_; }
  std::optional<uint8_t> primary() const { return primary_; }
  uint64_t changed_slot() const { return changed_slot_; }

  // `local` with this state applied: the removed ids dropped, the keys installed, the primary
  // made primary. Steps `local` refuses (dropping its own primary when the log named no other
  // one it holds, an id taken by another of its keys, a full keyring) are left out and described
  // in `skipped`; the rest applies. For a node that started with the cluster's first key this
  // is the keyring it would hold after replaying every key command up to changed_slot().
  wire::Keyring MergeInto(const wire::Keyring& local, std::vector<std::string>* skipped) const;

  // Snapshot bytes: changed_slot u64 | has primary u8 | primary u8 | key count u64, then
  // (id u8, key 32 bytes) in id order | removed count u64, then the ids in order.
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  std::map<uint8_t, wire::KeyBytes> keys_;
  std::set<uint8_t> removed_;  // disjoint from keys_
  std::optional<uint8_t> primary_;
  uint64_t changed_slot_ = 0;
};

}  // namespace pifleet::sm
