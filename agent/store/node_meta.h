// node.meta: who this node is (node id, cluster id) and its boot epoch. The epoch seals every
// datagram of one boot (DESIGN §4), so it is bumped and synced before the first datagram.
// The file is replaced atomically: temp file, fsync, rename, fsync of the directory.
#pragma once

#include <cstdint>
#include <string>

#include "agent/base/status.h"
#include "agent/store/env.h"

namespace pifleet::store {

inline constexpr char kNodeMetaFileName[] = "node.meta";

struct NodeMeta {
  uint64_t node_id = 0;
  uint64_t cluster_id = 0;
  uint32_t boot_epoch = 0;
  bool operator==(const NodeMeta&) const = default;
};

// 32 bytes: "PFNM" | version u8 | 3 zero bytes | node id u64 | cluster id u64 | epoch u32 |
// masked crc32c of the preceding 28 bytes (u32). All little-endian.
std::string EncodeNodeMeta(const NodeMeta& meta);
Status DecodeNodeMeta(const std::string& path, std::string_view bytes, NodeMeta* meta);

// NotFound if the data dir has no node.meta yet; Corruption (naming the file) if it is damaged.
Status ReadNodeMeta(Env* env, const std::string& data_dir, NodeMeta* meta);
Status WriteNodeMeta(Env* env, const std::string& data_dir, const NodeMeta& meta);

// Increments meta->boot_epoch and makes it durable before returning. On error *meta is
// unchanged and the node must not send. An epoch at UINT32_MAX cannot be bumped.
Status BumpEpoch(Env* env, const std::string& data_dir, NodeMeta* meta);

}  // namespace pifleet::store
