#include "agent/core/snapshot.h"

#include "agent/base/assert.h"
#include "agent/base/bytes.h"
#include "agent/base/fast_hash.h"
#include "agent/base/hash.h"
#include "agent/core/command_check.h"
#include "agent/core/constants.h"

namespace pifleet::core {
namespace {

constexpr std::string_view kMagic = "PFCS";
// Version 2 is version 1's layout under another hash (SnapshotHash); both are read.
constexpr uint8_t kVersion = 2;
constexpr uint8_t kVersionFnv = 1;

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

size_t BeginSnapshotBlob(const SnapshotMeta& meta, std::string* out) {
  out->clear();
  ByteWriter w{std::move(*out)};
  w.Raw(kMagic);
  w.U8(kVersion);
  w.U64(meta.slot);
  w.U32(static_cast<uint32_t>(meta.configs.size()));
  for (const auto& [first, config] : meta.configs) {
    w.U64(first);
    PutIds(w, config.voters);
    PutIds(w, config.learners);
  }
  w.U64(0);  // the state machine bytes' length: EndSnapshotBlob
  *out = std::move(w.out);
  return out->size();
}

void EndSnapshotBlob(size_t header_bytes, std::string* blob) {
  PIFLEET_ASSERT(header_bytes >= sizeof(uint64_t) && blob->size() >= header_bytes);
  std::string length;
  PutFixed64(&length, blob->size() - header_bytes);
  blob->replace(header_bytes - length.size(), length.size(), length);
}

std::string EncodeSnapshot(const SnapshotMeta& meta, std::string_view app_bytes) {
  std::string blob;
  blob.reserve(app_bytes.size() + 64);
  const size_t header_bytes = BeginSnapshotBlob(meta, &blob);
  blob.append(app_bytes);
  EndSnapshotBlob(header_bytes, &blob);
  return blob;
}

bool DecodeSnapshot(std::string_view blob, SnapshotMeta* meta, std::string* app_bytes) {
  ByteReader r{blob};
  if (r.Raw(kMagic.size()) != kMagic) return false;
  if (const uint8_t version = r.U8(); version != kVersion && version != kVersionFnv) return false;
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

uint64_t SnapshotHash(std::string_view blob) {
  // A version 1 blob (a file or a marker an older build wrote, a peer running one) keeps the
  // hash its marker and offers name.
  const bool fnv = blob.size() > kMagic.size() && blob.substr(0, kMagic.size()) == kMagic &&
                   static_cast<uint8_t>(blob[kMagic.size()]) == kVersionFnv;
  return fnv ? Fnv1a64(blob) : Xxh3Hash64(blob);
}

}  // namespace pifleet::core
