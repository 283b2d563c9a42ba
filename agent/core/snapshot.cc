#include "agent/core/snapshot.h"

#include "agent/base/bytes.h"
#include "agent/base/hash.h"
#include "agent/core/command_check.h"
#include "agent/core/constants.h"

namespace pifleet::core {
namespace {

constexpr std::string_view kMagic = "PFCS";
constexpr uint8_t kVersion = 1;

void PutIds(ByteWriter& w, const std::vector<NodeId>& ids) {
  w.U32(static_cast<uint32_t>(ids.size()));
  for (NodeId id : ids) w.U64(id);
}

bool GetIds(ByteReader& r, std::vector<NodeId>* ids, uint64_t max) {
  const uint32_t count = r.U32();
  if (!r.ok || count > max) return false;
  for (uint32_t i = 0; i < count; ++i) ids->push_back(r.U64());
  return r.ok;
}

}  // namespace

std::string EncodeSnapshot(const SnapshotMeta& meta, std::string_view app_bytes) {
  ByteWriter w;
  w.Raw(kMagic);
  w.U8(kVersion);
  w.U64(meta.slot);
  w.U32(static_cast<uint32_t>(meta.configs.size()));
  for (const auto& [first, config] : meta.configs) {
    w.U64(first);
    PutIds(w, config.voters);
    PutIds(w, config.learners);
  }
  w.Str(app_bytes);
  return std::move(w.out);
}

bool DecodeSnapshot(std::string_view blob, SnapshotMeta* meta, std::string* app_bytes) {
  ByteReader r{blob};
  if (r.Raw(kMagic.size()) != kMagic || r.U8() != kVersion) return false;
  meta->slot = r.U64();
  const uint32_t configs = r.U32();
  // Every configuration entry takes at least 16 bytes: refuse counts the input cannot hold.
  if (!r.ok || configs == 0 || configs > r.in.size() / 16) return false;
  meta->configs.clear();
  for (uint32_t i = 0; i < configs && r.ok; ++i) {
    Config config;
    const Slot first = r.U64();
    if (!GetIds(r, &config.voters, kVotersMax) || !GetIds(r, &config.learners, kNodesMax)) {
      return false;
    }
    if (!CheckConfig(config).ok()) return false;
    if (!meta->configs.empty() && first <= meta->configs.back().first) return false;
    meta->configs.emplace_back(first, std::move(config));
  }
  *app_bytes = r.Str();
  return r.Done();
}

uint64_t SnapshotHash(std::string_view blob) { return Fnv1a64(blob); }

}  // namespace pifleet::core
