// The replicated state machine the agent applies decided commands to: the key-value store, the
// members table and the key section (cluster keyring, members' key reports), told apart by the
// first payload byte (kv kinds 1..4, members 0x10..0x11, keys 0x20..0x23).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/sm/key_state.h"
#include "agent/sm/kv.h"
#include "agent/sm/members.h"

namespace pifleet::sm {

class StateMachine {
 public:
  // Applies one decided application command. Malformed payloads give ok=false on every replica.
  // A key command's result: ok, or ok=false with the reason in `output`.
  KvResult Apply(uint64_t slot, uint64_t client_id, uint64_t sequence, const std::string& payload);

  const KvStore& kv() const { return kv_; }
  const MembersTable& members() const { return members_; }
  const KeyState& keys() const { return keys_; }

  // The whole state as bytes, identical on every replica that applied the same slots:
  // "PFSM" | version u8 (4) | kv (keys in order, then client sessions) | members | keys |
  // removed ids (version 3, without them, still restores)
  // (cluster keyring, key reports, remembered key results). Restore takes such bytes back; on
  // any malformation or another version it returns false and changes nothing.
  std::string Snapshot() const;
  bool Restore(std::string_view bytes);
  // 64-bit FNV-1a of Snapshot(): the one state hash replicas (and the simulator) compare.
  uint64_t StateHash() const;

 private:
  KvStore kv_;
  MembersTable members_;
  KeyState keys_;
};

}  // namespace pifleet::sm
