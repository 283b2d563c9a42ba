#include "agent/store/node_meta.h"

#include "agent/base/bytes.h"
#include "agent/store/crc32c.h"

namespace pifleet::store {
namespace {

constexpr std::string_view kMagic = "PFNM";
constexpr uint8_t kVersion = 1;
constexpr size_t kBodyBytes = 4 + 1 + 3 + 8 + 8 + 4;
constexpr size_t kFileBytes = kBodyBytes + 4;

}  // namespace

std::string EncodeNodeMeta(const NodeMeta& meta) {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kVersion));
  out.append(3, '\0');
  PutFixed64(&out, meta.node_id);
  PutFixed64(&out, meta.cluster_id);
  PutFixed32(&out, meta.boot_epoch);
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out.data(), out.size())));
  return out;
}

Status DecodeNodeMeta(const std::string& path, std::string_view bytes, NodeMeta* meta) {
  if (bytes.size() != kFileBytes) {
    return Status::Corruption(path + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                              std::to_string(kFileBytes));
  }
  if (crc32c::Unmask(DecodeFixed32(bytes.data() + kBodyBytes)) !=
      crc32c::Value(bytes.data(), kBodyBytes)) {
    return Status::Corruption(path + ": checksum mismatch");
  }
  if (bytes.substr(0, 4) != kMagic || static_cast<uint8_t>(bytes[4]) != kVersion) {
    return Status::Corruption(path + ": not a version 1 node.meta file");
  }
  meta->node_id = DecodeFixed64(bytes.data() + 8);
  meta->cluster_id = DecodeFixed64(bytes.data() + 16);
  meta->boot_epoch = DecodeFixed32(bytes.data() + 24);
  return Status::Ok();
}

Status ReadNodeMeta(Env* env, const std::string& data_dir, NodeMeta* meta) {
  const std::string path = JoinPath(data_dir, kNodeMetaFileName);
  std::string bytes;
  Status s = ReadFileToString(env, path, &bytes);
  if (!s.ok()) return s;
  return DecodeNodeMeta(path, bytes, meta);
}

Status WriteNodeMeta(Env* env, const std::string& data_dir, const NodeMeta& meta) {
  return WriteFileAtomically(env, data_dir, kNodeMetaFileName, EncodeNodeMeta(meta));
}

Status BumpEpoch(Env* env, const std::string& data_dir, NodeMeta* meta) {
  if (meta->boot_epoch == UINT32_MAX) {
    return Status::InvalidArgument("boot epoch exhausted; the node must rejoin with a new id");
  }
  NodeMeta next = *meta;
  ++next.boot_epoch;
  Status s = WriteNodeMeta(env, data_dir, next);
  if (s.ok()) *meta = next;
  return s;
}

}  // namespace pifleet::store
