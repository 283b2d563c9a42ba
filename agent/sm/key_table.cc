#include "agent/sm/key_table.h"

#include <algorithm>
#include <functional>
#include <string>

#include "agent/wire/limits.h"

namespace pifleet::sm {
namespace {

bool Holds(const NodeKeys& row, uint8_t key_id) {
  return std::find(row.ids.begin(), row.ids.end(), key_id) != row.ids.end();
}

}  // namespace

void KeyTable::Apply(uint64_t slot, const KeyCommand& command) {
  if (command.kind != KeyCommandKind::kState) return;
  if (!rows_.count(command.node) && rows_.size() >= kKeyTableNodesMax) {
    auto oldest = std::min_element(rows_.begin(), rows_.end(), [](const auto& a, const auto& b) {
      return a.second.updated_slot < b.second.updated_slot;
    });
    rows_.erase(oldest);
  }
  rows_[command.node] = NodeKeys{command.key_id, command.ids, slot};
}

const NodeKeys* KeyTable::Find(uint64_t node) const {
  auto it = rows_.find(node);
  return it == rows_.end() ? nullptr : &it->second;
}

Status KeyTable::CheckUse(uint8_t key_id, const std::vector<uint64_t>& members) const {
  for (uint64_t node : members) {
    const NodeKeys* row = Find(node);
    if (row == nullptr || !Holds(*row, key_id)) {
      return Status::InvalidArgument(
          "key " + wire::KeyIdText(key_id) + " is not installed on node " + std::to_string(node) +
          (row == nullptr ? " (it has not reported its keyring yet)" : "") +
          "; wait until `pifleet key list` shows it on every member, or remove that node with "
          "`pifleet leave`");
    }
  }
  return Status::Ok();
}

Status KeyTable::CheckRemove(uint8_t key_id, uint8_t primary,
                             const std::vector<uint64_t>& members) const {
  if (key_id == primary) {
    return Status::InvalidArgument("key " + wire::KeyIdText(key_id) +
                                   " is the primary; make another key primary first "
                                   "(pifleet key use KEYID)");
  }
  for (uint64_t node : members) {
    const NodeKeys* row = Find(node);
    if (row == nullptr || row->primary != primary) {
      return Status::InvalidArgument(
          "node " + std::to_string(node) + " does not send with the primary key " +
          wire::KeyIdText(primary) + " yet" +
          (row == nullptr ? "" : " (it still uses " + wire::KeyIdText(row->primary) + ")") +
          "; removing " + wire::KeyIdText(key_id) + " now would cut it off");
    }
  }
  return Status::Ok();
}

size_t KeyTable::CountInstalled(uint8_t key_id, const std::vector<uint64_t>& members) const {
  return static_cast<size_t>(std::count_if(members.begin(), members.end(), [&](uint64_t node) {
    const NodeKeys* row = Find(node);
    return row != nullptr && Holds(*row, key_id);
  }));
}

size_t KeyTable::CountPrimary(uint8_t key_id, const std::vector<uint64_t>& members) const {
  return static_cast<size_t>(std::count_if(members.begin(), members.end(), [&](uint64_t node) {
    const NodeKeys* row = Find(node);
    return row != nullptr && row->primary == key_id;
  }));
}

void KeyTable::EncodeTo(ByteWriter& w) const {
  w.U64(rows_.size());
  for (const auto& [node, row] : rows_) {
    w.U64(node);
    w.U8(row.primary);
    w.U64(row.updated_slot);
    w.U64(row.ids.size());
    for (uint8_t id : row.ids) w.U8(id);
  }
}

bool KeyTable::DecodeFrom(ByteReader& r) {
  std::map<uint64_t, NodeKeys> rows;
  const uint64_t count = r.Count(8 + 1 + 8 + 8 + 1);
  if (count > kKeyTableNodesMax) return false;
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    const uint64_t node = r.U64();
    NodeKeys row;
    row.primary = r.U8();
    row.updated_slot = r.U64();
    const uint64_t ids = r.Count(1);
    if (ids == 0 || ids > wire::kKeyringKeysMax) return false;
    for (uint64_t k = 0; k < ids; ++k) row.ids.push_back(r.U8());
    // The one spelling Apply stores: nodes ascending, ids ascending and unique with the primary.
    if (!r.ok || (!rows.empty() && node <= rows.rbegin()->first) ||
        std::adjacent_find(row.ids.begin(), row.ids.end(), std::greater_equal<uint8_t>()) !=
            row.ids.end() ||
        !Holds(row, row.primary)) {
      return false;
    }
    rows.emplace(node, std::move(row));
  }
  if (!r.ok) return false;
  rows_ = std::move(rows);
  return true;
}

}  // namespace pifleet::sm
