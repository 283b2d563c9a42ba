#include "agent/wire/key_table.h"

#include <algorithm>
#include <string>

namespace pifleet::wire {
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
          "key " + KeyIdText(key_id) + " is not installed on node " + std::to_string(node) +
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
    return Status::InvalidArgument("key " + KeyIdText(key_id) +
                                   " is the primary; make another key primary first "
                                   "(pifleet key use KEYID)");
  }
  for (uint64_t node : members) {
    const NodeKeys* row = Find(node);
    if (row == nullptr || row->primary != primary) {
      return Status::InvalidArgument(
          "node " + std::to_string(node) + " does not send with the primary key " +
          KeyIdText(primary) + " yet" +
          (row == nullptr ? "" : " (it still uses " + KeyIdText(row->primary) + ")") +
          "; removing " + KeyIdText(key_id) + " now would cut it off");
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

}  // namespace pifleet::wire
