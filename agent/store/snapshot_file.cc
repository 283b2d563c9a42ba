#include "agent/store/snapshot_file.h"

#include <cinttypes>
#include <cstdio>
#include <vector>

#include "agent/base/assert.h"
#include "agent/base/bytes.h"
#include "agent/store/crc32c.h"
#include "agent/store/store_constants.h"

namespace pifleet::store {
namespace {

constexpr std::string_view kMagic = "PFSN";
constexpr uint8_t kVersion = 1;
constexpr std::string_view kSuffix = ".snap";
constexpr size_t kSlotDigits = 20;

std::string EncodeHeader(uint64_t slot, uint64_t blob_bytes, uint32_t blob_crc) {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kVersion));
  out.append(3, '\0');
  PutFixed64(&out, slot);
  PutFixed64(&out, blob_bytes);
  PutFixed32(&out, crc32c::Mask(blob_crc));
  PutFixed32(&out, static_cast<uint32_t>(kSnapshotChunkBytes));
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out.data(), out.size())));
  PIFLEET_ASSERT(out.size() == kSnapshotHeaderBytes);
  return out;
}

Status DecodeHeader(const std::string& path, std::string_view bytes, SnapshotInfo* info) {
  if (bytes.size() < kSnapshotHeaderBytes) return Status::Corruption(path + ": header truncated");
  const size_t body = kSnapshotHeaderBytes - 4;
  if (crc32c::Unmask(DecodeFixed32(bytes.data() + body)) != crc32c::Value(bytes.data(), body)) {
    return Status::Corruption(path + " offset 0: header checksum mismatch");
  }
  if (bytes.substr(0, 4) != kMagic || static_cast<uint8_t>(bytes[4]) != kVersion) {
    return Status::Corruption(path + ": not a version 1 snapshot");
  }
  info->path = path;
  info->slot = DecodeFixed64(bytes.data() + 8);
  info->blob_bytes = DecodeFixed64(bytes.data() + 16);
  info->blob_crc = crc32c::Unmask(DecodeFixed32(bytes.data() + 24));
  if (DecodeFixed32(bytes.data() + 28) != kSnapshotChunkBytes) {
    return Status::Corruption(path + ": written with another chunk size");
  }
  if (info->blob_bytes > kSnapshotBytesMax) {
    return Status::Corruption(path + ": blob of " + std::to_string(info->blob_bytes) + " bytes");
  }
  return Status::Ok();
}

bool ParseSnapshotName(const std::string& name, uint64_t* slot) {
  if (name.size() != kSlotDigits + kSuffix.size() ||
      name.compare(kSlotDigits, kSuffix.size(), kSuffix) != 0) {
    return false;
  }
  uint64_t value = 0;
  for (size_t i = 0; i < kSlotDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    value = value * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *slot = value;
  return true;
}

Status ReadHeader(Env* env, const std::string& path, SnapshotInfo* info,
                  std::unique_ptr<RandomAccessFile>* file) {
  Status s = env->NewRandomAccessFile(path, file);
  std::string header;
  if (s.ok()) s = (*file)->Read(0, kSnapshotHeaderBytes, &header);
  if (s.ok()) s = DecodeHeader(path, header, info);
  return s;
}

}  // namespace

std::string SnapshotFileName(uint64_t slot) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020" PRIu64 ".snap", slot);
  return name;
}

Status WriteSnapshot(Env* env, const std::string& snap_dir, uint64_t slot, std::string_view blob) {
  if (blob.size() > kSnapshotBytesMax) {
    return Status::InvalidArgument("snapshot of " + std::to_string(blob.size()) + " bytes");
  }
  Status s = env->CreateDir(snap_dir);
  if (!s.ok()) return s;
  std::string bytes = EncodeHeader(slot, blob.size(), crc32c::Value(blob.data(), blob.size()));
  bytes.append(blob);
  s = WriteFileAtomically(env, snap_dir, SnapshotFileName(slot), bytes);
  if (!s.ok()) return s;
  std::vector<std::string> names;
  s = env->GetChildren(snap_dir, &names);
  if (!s.ok()) return s;
  std::vector<std::string> snapshots;
  for (const std::string& name : names) {
    uint64_t other = 0;
    if (ParseSnapshotName(name, &other)) snapshots.push_back(name);
  }
  // Names sort by slot (fixed width), so the oldest come first.
  for (size_t i = 0; i + kSnapshotsKept < snapshots.size(); ++i) {
    s = env->RemoveFile(JoinPath(snap_dir, snapshots[i]));
    if (!s.ok()) return s;
  }
  return env->SyncDir(snap_dir);
}

Status RemoveSnapshotTempFiles(Env* env, const std::string& snap_dir, size_t* removed) {
  *removed = 0;
  std::vector<std::string> names;
  Status s = env->GetChildren(snap_dir, &names);
  if (!s.ok()) return s;
  constexpr std::string_view kTmpSuffix = ".tmp";
  for (const std::string& name : names) {
    if (name.size() <= kTmpSuffix.size() ||
        name.compare(name.size() - kTmpSuffix.size(), kTmpSuffix.size(), kTmpSuffix) != 0) {
      continue;
    }
    s = env->RemoveFile(JoinPath(snap_dir, name));
    if (!s.ok()) return s;
    ++*removed;
  }
  return *removed > 0 ? env->SyncDir(snap_dir) : Status::Ok();
}

Status FindLatestSnapshot(Env* env, const std::string& snap_dir, SnapshotInfo* info) {
  std::vector<std::string> names;
  Status s = env->GetChildren(snap_dir, &names);
  if (!s.ok()) return s;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    uint64_t slot = 0;
    if (!ParseSnapshotName(*it, &slot)) continue;
    std::unique_ptr<RandomAccessFile> file;
    s = ReadHeader(env, JoinPath(snap_dir, *it), info, &file);
    if (!s.ok()) return s;
    if (info->slot != slot) return Status::Corruption(info->path + ": header names another slot");
    return Status::Ok();
  }
  return Status::NotFound(snap_dir + ": no snapshots");
}

Status ReadSnapshot(Env* env, const std::string& path, SnapshotInfo* info, std::string* blob) {
  std::unique_ptr<RandomAccessFile> file;
  Status s = ReadHeader(env, path, info, &file);
  if (s.ok()) s = file->Read(kSnapshotHeaderBytes, info->blob_bytes + 1, blob);
  if (!s.ok()) return s;
  if (blob->size() != info->blob_bytes) {
    return Status::Corruption(path + ": blob is " + std::to_string(blob->size()) +
                              " bytes, header says " + std::to_string(info->blob_bytes));
  }
  if (crc32c::Value(blob->data(), blob->size()) != info->blob_crc) {
    return Status::Corruption(path + " offset " + std::to_string(kSnapshotHeaderBytes) +
                              ": blob checksum mismatch");
  }
  return Status::Ok();
}

}  // namespace pifleet::store
