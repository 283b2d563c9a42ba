#include "agent/sm/cluster_keys.h"

#include "agent/wire/limits.h"

namespace pifleet::sm {

std::string ClusterKeys::Apply(uint64_t slot, const KeyCommand& command) {
  const uint8_t id =
      command.kind == KeyCommandKind::kInstall ? wire::KeyId(command.key) : command.key_id;
  const std::string id_text = wire::KeyIdText(id);
  switch (command.kind) {
    case KeyCommandKind::kInstall:
      if (auto it = keys_.find(id); it != keys_.end()) {
        if (it->second == command.key) return "";  // installing twice is harmless
        return "key id " + id_text + " is taken by another installed key; generate a new key";
      }
      if (keys_.size() >= wire::kKeyringKeysMax) {
        return "keyring is full (" + std::to_string(wire::kKeyringKeysMax) +
               " keys); remove an old key first";
      }
      keys_.emplace(id, command.key);
      removed_.erase(id);
      break;
    case KeyCommandKind::kUse:
      // The log cannot know the keys nodes started with, so any id it has not removed may be
      // one; a node that does not hold it keeps its primary (MergeInto).
      if (removed_.count(id) != 0) return "no installed key with id " + id_text;
      if (primary_ == id) return "";
      primary_ = id;
      break;
    case KeyCommandKind::kRemove:
      if (primary_ == id) {
        return "key " + id_text + " is the primary; make another key primary first";
      }
      if (removed_.count(id) != 0) return "no installed key with id " + id_text;
      keys_.erase(id);
      removed_.insert(id);
      break;
    case KeyCommandKind::kState:
      return "a key report is not a keyring change";
  }
  changed_slot_ = slot;
  return "";
}

wire::Keyring ClusterKeys::MergeInto(const wire::Keyring& local,
                                     std::vector<std::string>* skipped) const {
  wire::Keyring next = local;
  const auto drop_removed = [&] {
    for (uint8_t id : removed_) {
      if (next.Find(id) != nullptr && next.primary_id() != id) (void)next.Remove(id);
    }
  };
  drop_removed();  // first, so that the installs find room
  for (const auto& [id, key] : keys_) {
    if (Status status = next.Install(key); !status.ok()) {
      skipped->push_back("install " + wire::KeyIdText(id) + ": " + status.message());
    }
  }
  if (primary_) {
    if (Status status = next.Use(*primary_); !status.ok()) {
      skipped->push_back("use " + wire::KeyIdText(*primary_) + ": " + status.message());
    }
  }
  drop_removed();  // again: the old primary goes once the new one is in place
  for (uint8_t id : removed_) {
    if (next.Find(id) != nullptr) {
      skipped->push_back("remove " + wire::KeyIdText(id) + ": it is still this node's primary");
    }
  }
  return next;
}

void ClusterKeys::EncodeTo(ByteWriter& w) const {
  w.U64(changed_slot_);
  w.U8(primary_ ? 1 : 0);
  w.U8(primary_.value_or(0));
  w.U64(keys_.size());
  for (const auto& [id, key] : keys_) {
    w.U8(id);
    for (uint8_t b : key) w.U8(b);
  }
  w.U64(removed_.size());
  for (uint8_t id : removed_) w.U8(id);
}

bool ClusterKeys::DecodeFrom(ByteReader& r) {
  const uint64_t changed_slot = r.U64();
  const uint8_t has_primary = r.U8();
  const uint8_t primary = r.U8();
  if (!r.ok || has_primary > 1 || (has_primary == 0 && primary != 0)) return false;
  std::map<uint8_t, wire::KeyBytes> keys;
  const uint64_t key_count = r.Count(1 + wire::kKeyBytes);
  if (key_count > wire::kKeyringKeysMax) return false;
  for (uint64_t i = 0; i < key_count && r.ok; ++i) {
    const uint8_t id = r.U8();
    wire::KeyBytes key;
    for (uint8_t& b : key) b = r.U8();
    // Ids ascending, each the id of its key: the one spelling Apply produces.
    if (!r.ok || (!keys.empty() && id <= keys.rbegin()->first) || wire::KeyId(key) != id) {
      return false;
    }
    keys.emplace(id, key);
  }
  std::set<uint8_t> removed;
  const uint64_t removed_count = r.Count(1);
  for (uint64_t i = 0; i < removed_count && r.ok; ++i) {
    const uint8_t id = r.U8();
    if (!r.ok || (!removed.empty() && id <= *removed.rbegin()) || keys.count(id) != 0) {
      return false;
    }
    removed.insert(id);
  }
  if (!r.ok || (has_primary == 1 && removed.count(primary) != 0)) return false;
  keys_ = std::move(keys);
  removed_ = std::move(removed);
  primary_ = has_primary == 1 ? std::optional<uint8_t>(primary) : std::nullopt;
  changed_slot_ = changed_slot;
  return true;
}

}  // namespace pifleet::sm
