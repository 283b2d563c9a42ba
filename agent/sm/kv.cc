#include "agent/sm/kv.h"

#include <algorithm>

#include "agent/sm/kv_txn.h"

namespace pifleet::sm {

KvResult KvStore::Apply(const std::string& payload, const LeaseTable* leases) {
  events_.clear();
  if (IsKvTxn(payload)) {
    std::optional<wire::TxnRequestBody> txn = DecodeKvTxn(payload);
    return txn ? ExecuteTxn(*txn, leases) : KvResult{false, "malformed transaction"};
  }
  std::optional<KvOp> op = DecodeKvOp(payload);
  return op ? Execute(*op) : KvResult{false, "malformed command"};
}

KvResult KvStore::Execute(const KvOp& op) {
  auto it = data_.find(op.key);
  const std::string current = it == data_.end() ? "" : it->second.value;
  switch (op.kind) {
    case KvKind::kPut:
      Put(op.key, op.value, 0);
      Commit();
      return KvResult{true, ""};
    case KvKind::kGet:
      return KvResult{true, current, it != data_.end()};
    case KvKind::kCas:
      if (current != op.expected) return KvResult{false, current};
      Put(op.key, op.value, 0);
      Commit();
      return KvResult{true, ""};
    case KvKind::kDelete:
      DeleteRange(op.key, "");
      Commit();
      return KvResult{true, ""};
  }
  return KvResult{false, "unknown operation"};
}

void KvStore::Put(const std::string& key, const std::string& value, uint64_t lease) {
  const uint64_t revision = revision_ + 1;
  Entry& entry = data_[key];
  if (entry.version == 0) entry.create_revision = revision;
  entry.value = value;
  entry.mod_revision = revision;
  entry.version += 1;
  entry.lease = lease;
  events_.push_back(KvEvent{KvEvent::Type::kPut, Row(key, entry)});
}

uint64_t KvStore::DeleteRange(const std::string& key, const std::string& range_end) {
  const uint64_t revision = revision_ + 1;
  auto it = data_.lower_bound(key);
  uint64_t deleted = 0;
  while (it != data_.end() &&
         (range_end.empty() ? it->first == key
                            : range_end == std::string(1, '\0') || it->first < range_end)) {
    wire::KvRow row{it->first, "", it->second.create_revision, revision, 0, it->second.lease};
    events_.push_back(KvEvent{KvEvent::Type::kDelete, std::move(row)});
    it = data_.erase(it);
    ++deleted;
    if (range_end.empty()) break;
  }
  return deleted;
}

uint64_t KvStore::DeleteLeaseKeys(const std::vector<uint64_t>& leases) {
  events_.clear();
  std::vector<std::string> keys;
  for (const auto& [key, entry] : data_) {
    if (std::find(leases.begin(), leases.end(), entry.lease) != leases.end()) keys.push_back(key);
  }
  for (const std::string& key : keys) DeleteRange(key, "");
  Commit();
  return keys.size();
}

void KvStore::Commit() {
  if (!events_.empty()) revision_ += 1;
}

wire::KvRow KvStore::Row(const std::string& key, const Entry& entry) {
  return wire::KvRow{key,           entry.value, entry.create_revision, entry.mod_revision,
                     entry.version, entry.lease};
}

std::vector<wire::KvRow> KvStore::Range(const std::string& key, const std::string& range_end,
                                        uint64_t limit, Budget* budget, bool* more) const {
  std::vector<wire::KvRow> rows;
  *more = false;
  const bool to_end = range_end == std::string(1, '\0');
  for (auto it = data_.lower_bound(key); it != data_.end(); ++it) {
    if (range_end.empty() ? it->first != key : !to_end && it->first >= range_end) break;
    const size_t row_bytes =
        it->first.size() + it->second.value.size() + wire::kRangeRowOverheadBytes;
    if ((limit != 0 && rows.size() >= limit) || budget->rows == 0 || row_bytes > budget->bytes) {
      *more = true;
      break;
    }
    budget->rows -= 1;
    budget->bytes -= row_bytes;
    rows.push_back(Row(it->first, it->second));
    if (range_end.empty()) break;
  }
  return rows;
}

std::optional<std::string> KvStore::Find(const std::string& key) const {
  auto it = data_.find(key);
  if (it == data_.end()) return std::nullopt;
  return it->second.value;
}

std::optional<wire::KvRow> KvStore::FindRow(const std::string& key) const {
  auto it = data_.find(key);
  if (it == data_.end()) return std::nullopt;
  return Row(it->first, it->second);
}

std::map<uint64_t, uint64_t> KvStore::KeysPerLease() const {
  std::map<uint64_t, uint64_t> keys;
  for (const auto& [key, entry] : data_) {
    if (entry.lease != 0) keys[entry.lease] += 1;
  }
  return keys;
}

std::string KvStore::Read(const std::string& key) const { return Find(key).value_or(""); }

void KvStore::EncodeTo(ByteWriter& w) const {
  w.U64(revision_);
  w.U64(data_.size());
  for (const auto& [key, entry] : data_) {
    w.Str(key);
    w.Str(entry.value);
    w.U64(entry.create_revision);
    w.U64(entry.mod_revision);
    w.U64(entry.version);
    w.U64(entry.lease);
  }
}

bool KvStore::DecodeFrom(ByteReader& r) {
  std::map<std::string, Entry> data;
  const uint64_t revision = r.U64();
  const uint64_t count = r.Count(16 + 4 * 8);
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    std::string key = r.Str();
    Entry entry;
    entry.value = r.Str();
    entry.create_revision = r.U64();
    entry.mod_revision = r.U64();
    entry.version = r.U64();
    entry.lease = r.U64();
    // Revisions a replica could have written: never ahead of the store's, never 0.
    if (entry.version == 0 || entry.create_revision == 0 ||
        entry.create_revision > entry.mod_revision || entry.mod_revision > revision) {
      return false;
    }
    data[std::move(key)] = std::move(entry);
  }
  if (!r.ok || data.size() != count) return false;
  data_ = std::move(data);
  revision_ = revision;
  events_.clear();
  return true;
}

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff) end.pop_back();
  if (end.empty()) return std::string(1, '\0');
  end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  return end;
}

}  // namespace pifleet::sm
