#include "agent/sm/state_machine.h"

#include "agent/base/hash.h"

namespace pifleet::sm {

KvResult StateMachine::Apply(uint64_t slot, uint64_t client_id, uint64_t sequence,
                             const std::string& payload) {
  if (IsMembersCommand(payload)) return KvResult{members_.Apply(slot, payload), ""};
  if (IsKeyCommand(payload)) {
    std::string error = keys_.Apply(slot, client_id, sequence, payload);
    return KvResult{error.empty(), std::move(error)};
  }
  return kv_.Apply(client_id, sequence, payload);
}

namespace {

constexpr std::string_view kSnapshotMagic = "PFSM";
// 4: the ids `pifleet leave` removed follow the keys (a version 3 snapshot restores without
// them). 3: each member upsert holds its strings whole behind u64 lengths (2 clipped them to
// 255 bytes behind a u8 length). 2: the key section follows the members (1 had none). Another
// version is refused.
constexpr uint8_t kSnapshotVersion = 4;
constexpr uint8_t kSnapshotVersionOldest = 3;

}  // namespace

std::string StateMachine::Snapshot() const {
  ByteWriter w;
  w.out.append(kSnapshotMagic);
  w.U8(kSnapshotVersion);
  kv_.EncodeTo(w);
  members_.EncodeTo(w);
  keys_.EncodeTo(w);
  members_.EncodeRemovedTo(w);
  return std::move(w.out);
}

bool StateMachine::Restore(std::string_view bytes) {
  if (bytes.substr(0, kSnapshotMagic.size()) != kSnapshotMagic) return false;
  ByteReader r{bytes.substr(kSnapshotMagic.size())};
  const uint8_t version = r.U8();
  if (version < kSnapshotVersionOldest || version > kSnapshotVersion) return false;
  KvStore kv;
  MembersTable members;
  KeyState keys;
  if (!kv.DecodeFrom(r) || !members.DecodeFrom(r) || !keys.DecodeFrom(r) ||
      (version >= 4 && !members.DecodeRemovedFrom(r)) || !r.ok || !r.in.empty()) {
    return false;
  }
  kv_ = std::move(kv);
  members_ = std::move(members);
  keys_ = std::move(keys);
  return true;
}

uint64_t StateMachine::StateHash() const { return Fnv1a64(Snapshot()); }

}  // namespace pifleet::sm
