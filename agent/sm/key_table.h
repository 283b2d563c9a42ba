// What every member's keyring holds, as the members themselves reported it through the log
// (KeyCommandKind::kState). Replicated state: every replica holds the same table, and
// state-machine snapshots carry it. It is what lets `key use` and `key remove` refuse a step
// some member is not ready for.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "agent/base/bytes.h"
#include "agent/base/status.h"
#include "agent/sm/key_commands.h"

namespace pifleet::sm {

// Nodes whose report the table keeps; past it the least recently updated row goes.
inline constexpr size_t kKeyTableNodesMax = 1024;

struct NodeKeys {
  uint8_t primary = 0;
  std::vector<uint8_t> ids;  // ascending, the primary among them
  uint64_t updated_slot = 0;
  bool operator==(const NodeKeys&) const = default;
};

class KeyTable {
 public:
  // Records a kState command decided in `slot`; other kinds leave the table alone. Past
  // kKeyTableNodesMax nodes the least recently updated row goes (the same on every replica).
  void Apply(uint64_t slot, const KeyCommand& command);
  const NodeKeys* Find(uint64_t node) const;
  size_t size() const { return rows_.size(); }

  // `use`: every member reports key_id installed.
  Status CheckUse(uint8_t key_id, const std::vector<uint64_t>& members) const;
  // `remove`: key_id is not `primary`, and every member reports `primary` as its primary, so
  // no member still sends with the key being removed.
  Status CheckRemove(uint8_t key_id, uint8_t primary, const std::vector<uint64_t>& members) const;
  // How many of `members` report key_id installed / as their primary.
  size_t CountInstalled(uint8_t key_id, const std::vector<uint64_t>& members) const;
  size_t CountPrimary(uint8_t key_id, const std::vector<uint64_t>& members) const;

  // Snapshot bytes: the row count, then each row in node order: node u64, primary u8,
  // updated_slot u64, id count u64, the ids. DecodeFrom refuses rows Apply cannot produce.
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  std::map<uint64_t, NodeKeys> rows_;
};

}  // namespace pifleet::sm
