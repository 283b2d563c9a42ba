#include "agent/core/snapshot.h"

#include "agent/core/command_check.h"
#include "agent/core/constants.h"

namespace pifleet::core {
namespace {

constexpr char kMagic[] = "PFCS";
constexpr uint8_t kVersion = 1;

void PutU64(std::string& out, uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

void PutU32(std::string& out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

void PutIds(std::string& out, const std::vector<NodeId>& ids) {
  PutU32(out, static_cast<uint32_t>(ids.size()));
  for (NodeId id : ids) PutU64(out, id);
}

struct Reader {
  std::string_view in;
  bool ok = true;

  uint64_t Uint(int bytes) {
    if (!ok || in.size() < static_cast<size_t>(bytes)) return ok = false, 0;
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= uint64_t{static_cast<uint8_t>(in[i])} << (8 * i);
    in.remove_prefix(static_cast<size_t>(bytes));
    return value;
  }
  bool Ids(std::vector<NodeId>* ids, uint64_t max) {
    const uint64_t count = Uint(4);
    if (!ok || count > max) return ok = false;
    for (uint64_t i = 0; i < count; ++i) ids->push_back(Uint(8));
    return ok;
  }
};

}  // namespace

std::string EncodeSnapshot(const SnapshotMeta& meta, std::string_view app_bytes) {
  std::string out(kMagic, 4);
  out.push_back(static_cast<char>(kVersion));
  PutU64(out, meta.slot);
  PutU32(out, static_cast<uint32_t>(meta.configs.size()));
  for (const auto& [first, config] : meta.configs) {
    PutU64(out, first);
    PutIds(out, config.voters);
    PutIds(out, config.learners);
  }
  PutU64(out, app_bytes.size());
  out.append(app_bytes);
  return out;
}

bool DecodeSnapshot(std::string_view blob, SnapshotMeta* meta, std::string* app_bytes) {
  if (blob.size() < 5 || blob.substr(0, 4) != std::string_view(kMagic, 4) ||
      static_cast<uint8_t>(blob[4]) != kVersion) {
    return false;
  }
  Reader r{blob.substr(5)};
  meta->slot = r.Uint(8);
  const uint64_t configs = r.Uint(4);
  // Every configuration entry takes at least 16 bytes: refuse counts the input cannot hold.
  if (!r.ok || configs == 0 || configs > r.in.size() / 16) return false;
  meta->configs.clear();
  for (uint64_t i = 0; i < configs && r.ok; ++i) {
    Config config;
    const Slot first = r.Uint(8);
    if (!r.Ids(&config.voters, kVotersMax) || !r.Ids(&config.learners, kNodesMax)) return false;
    if (!CheckConfig(config).ok()) return false;
    if (!meta->configs.empty() && first <= meta->configs.back().first) return false;
    meta->configs.emplace_back(first, std::move(config));
  }
  const uint64_t app_size = r.Uint(8);
  if (!r.ok || app_size != r.in.size()) return false;
  app_bytes->assign(r.in);
  return true;
}

uint64_t SnapshotHash(std::string_view blob) {
  uint64_t hash = 1469598103934665603ULL;
  for (char c : blob) hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  return hash;
}

}  // namespace pifleet::core
