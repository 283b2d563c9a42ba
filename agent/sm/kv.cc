#include "agent/sm/kv.h"

namespace pifleet::sm {

KvResult KvStore::Apply(const std::string& payload) {
  std::optional<KvOp> op = DecodeKvOp(payload);
  return op ? Execute(*op) : KvResult{false, "malformed command"};
}

KvResult KvStore::Execute(const KvOp& op) {
  auto it = data_.find(op.key);
  const std::string current = it == data_.end() ? "" : it->second;
  switch (op.kind) {
    case KvKind::kPut:
      data_[op.key] = op.value;
      return KvResult{true, ""};
    case KvKind::kGet:
      return KvResult{true, current, it != data_.end()};
    case KvKind::kCas:
      if (current != op.expected) return KvResult{false, current};
      data_[op.key] = op.value;
      return KvResult{true, ""};
    case KvKind::kDelete:
      if (it != data_.end()) data_.erase(it);
      return KvResult{true, ""};
  }
  return KvResult{false, "unknown operation"};
}

std::optional<std::string> KvStore::Find(const std::string& key) const {
  auto it = data_.find(key);
  if (it == data_.end()) return std::nullopt;
  return it->second;
}

std::string KvStore::Read(const std::string& key) const {
  auto it = data_.find(key);
  return it == data_.end() ? "" : it->second;
}

void KvStore::EncodeTo(ByteWriter& w) const {
  w.U64(data_.size());
  for (const auto& [key, value] : data_) {
    w.Str(key);
    w.Str(value);
  }
}

bool KvStore::DecodeFrom(ByteReader& r) {
  std::map<std::string, std::string> data;
  const uint64_t count = r.Count(16);
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    std::string key = r.Str();
    data[std::move(key)] = r.Str();
  }
  if (!r.ok || data.size() != count) return false;
  data_ = std::move(data);
  return true;
}

}  // namespace pifleet::sm
