#include "agent/sm/state_machine.h"

namespace pifleet::sm {

KvResult StateMachine::Apply(uint64_t slot, uint64_t client_id, uint64_t sequence,
                             const std::string& payload) {
  if (IsMembersCommand(payload)) return KvResult{members_.Apply(slot, payload), ""};
  return kv_.Apply(client_id, sequence, payload);
}

uint64_t StateMachine::Digest() const { return kv_.Digest() * 31 + members_.Digest(); }

namespace {
constexpr std::string_view kSnapshotMagic = "PFSM";
constexpr uint8_t kSnapshotVersion = 1;
}  // namespace

std::string StateMachine::Snapshot() const {
  ByteWriter w;
  w.out.append(kSnapshotMagic);
  w.U8(kSnapshotVersion);
  kv_.EncodeTo(w);
  members_.EncodeTo(w);
  return std::move(w.out);
}

bool StateMachine::Restore(std::string_view bytes) {
  if (bytes.substr(0, kSnapshotMagic.size()) != kSnapshotMagic) return false;
  ByteReader r{bytes.substr(kSnapshotMagic.size())};
  if (r.U8() != kSnapshotVersion) return false;
  KvStore kv;
  MembersTable members;
  if (!kv.DecodeFrom(r) || !members.DecodeFrom(r) || !r.ok || !r.in.empty()) return false;
  kv_ = std::move(kv);
  members_ = std::move(members);
  return true;
}

uint64_t StateMachine::StateHash() const {
  uint64_t hash = 1469598103934665603ULL;
  for (char c : Snapshot()) hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  return hash;
}

}  // namespace pifleet::sm
