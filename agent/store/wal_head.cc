#include "agent/store/wal_head.h"

#include <cinttypes>
#include <cstdio>

#include "agent/base/bytes.h"
#include "agent/store/crc32c.h"

namespace pifleet::store {
namespace {

constexpr std::string_view kMagic = "PFWH";
constexpr uint8_t kVersion = 1;
constexpr size_t kBodyBytes = 4 + 1 + 3 + 8 + 8 + 8 + 4;
constexpr size_t kFileBytes = kBodyBytes + 4;

Status Missing(const std::string& dir, uint64_t number, const std::string& why) {
  return Status::Corruption(WalSegmentPath(dir, number) + ": segment missing (" + why + ")");
}

}  // namespace

std::string WalSegmentPath(const std::string& dir, uint64_t number) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020" PRIu64 ".wal", number);
  return JoinPath(dir, name);
}

std::string EncodeWalHead(const WalHead& head) {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kVersion));
  out.append(3, '\0');
  PutFixed64(&out, head.node_id);
  PutFixed64(&out, head.oldest);
  PutFixed64(&out, head.newest);
  out.append(4, '\0');
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out.data(), out.size())));
  return out;
}

Status DecodeWalHead(const std::string& path, std::string_view bytes, WalHead* head) {
  if (bytes.size() != kFileBytes) {
    return Status::Corruption(path + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                              std::to_string(kFileBytes));
  }
  if (crc32c::Unmask(DecodeFixed32(bytes.data() + kBodyBytes)) !=
      crc32c::Value(bytes.data(), kBodyBytes)) {
    return Status::Corruption(path + ": checksum mismatch");
  }
  if (bytes.substr(0, 4) != kMagic || static_cast<uint8_t>(bytes[4]) != kVersion) {
    return Status::Corruption(path + ": not a version 1 wal head file");
  }
  head->node_id = DecodeFixed64(bytes.data() + 8);
  head->oldest = DecodeFixed64(bytes.data() + 16);
  head->newest = DecodeFixed64(bytes.data() + 24);
  if (head->oldest == 0 || head->oldest > head->newest) {
    return Status::Corruption(path + ": segments " + std::to_string(head->oldest) + ".." +
                              std::to_string(head->newest) + " make no sense");
  }
  return Status::Ok();
}

Status ReadWalHead(Env* env, const std::string& dir, WalHead* head) {
  const std::string path = JoinPath(dir, kWalHeadFileName);
  if (!env->FileExists(path)) return Status::NotFound(path);
  std::string bytes;
  Status s = ReadFileToString(env, path, &bytes);
  if (!s.ok()) return s;
  return DecodeWalHead(path, bytes, head);
}

Status WriteWalHead(Env* env, const std::string& dir, const WalHead& head) {
  return WriteFileAtomically(env, dir, kWalHeadFileName, EncodeWalHead(head));
}

Status CheckSegmentSet(const std::string& dir, const std::vector<uint64_t>& numbers,
                       const WalHead* head, uint64_t node_id) {
  for (size_t i = 1; i < numbers.size(); ++i) {
    if (numbers[i] != numbers[i - 1] + 1) {
      return Missing(
          dir, numbers[i - 1] + 1,
          "have " + std::to_string(numbers[i - 1]) + " and " + std::to_string(numbers[i]));
    }
  }
  const std::string head_path = JoinPath(dir, kWalHeadFileName);
  if (head == nullptr) {
    // Only the first segment may exist before the first head is written.
    if (numbers.empty() || (numbers.size() == 1 && numbers[0] == 1)) return Status::Ok();
    return Status::Corruption(head_path + ": missing, but segments " +
                              std::to_string(numbers.front()) + ".." +
                              std::to_string(numbers.back()) + " exist");
  }
  if (node_id != 0 && head->node_id != node_id) {
    return Status::Corruption(head_path + ": written by node " + std::to_string(head->node_id) +
                              ", this is node " + std::to_string(node_id));
  }
  if (numbers.empty())
    return Missing(dir, head->newest, "no segment left; " + head_path + " names it as the newest");
  if (numbers.back() < head->newest) {
    return Missing(dir, head->newest,
                   head_path + " names it as the newest; the newest present is " +
                       std::to_string(numbers.back()));
  }
  if (numbers.back() > head->newest + 1) {
    return Status::Corruption(WalSegmentPath(dir, numbers.back()) + ": newer than " + head_path +
                              " allows (newest " + std::to_string(head->newest) + ")");
  }
  if (numbers.front() > head->oldest) {
    return Missing(dir, head->oldest,
                   head_path + " names it as the oldest; the oldest present is " +
                       std::to_string(numbers.front()));
  }
  return Status::Ok();
}

}  // namespace pifleet::store
