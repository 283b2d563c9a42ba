// The key-value state machine with etcd's revision model: one cluster revision per mutation (a
// command that changes at least one key), and per key its create and mod revision and version
// (puts since creation; a delete then a put starts again at 1). Commands: put, get,
// compare-and-swap and delete (kinds 1..4, kv_op.h) and transactions (kind 5, kv_txn.h) whose ops
// put, range over [key, range_end) and delete ranges. Deterministic: the same commands give the
// same state and results. Exactly-once application is the session table's job
// (agent/sm/sessions.h), checked before a command reaches the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/bytes.h"
#include "agent/sm/kv_op.h"
#include "agent/sm/leases.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::sm {

// A change one command made: a put (row = the key as it is now) or a delete (row.mod_revision is
// the delete's revision, value empty). Watches are served from these (agent/daemon/watch_hub.h).
struct KvEvent {
  enum class Type : uint8_t { kPut = 0, kDelete = 1 };
  Type type = Type::kPut;
  wire::KvRow row;
  bool operator==(const KvEvent&) const = default;
};

class KvStore {
 public:
  // Applies one command (payload = EncodeKvOp or EncodeKvTxn). A malformed payload gives ok=false;
  // a put names a lease of `leases` (none without it) or the transaction is refused.
  KvResult Apply(const std::string& payload, const LeaseTable* leases = nullptr);
  // Deletes every key attached to one of `leases`, all at one new revision (none when no key
  // goes); returns how many went.
  uint64_t DeleteLeaseKeys(const std::vector<uint64_t>& leases);
  // The value of `key` ("" = absent) without going through the log.
  std::string Read(const std::string& key) const;
  // The value of `key`, or nullopt when it is absent.
  std::optional<std::string> Find(const std::string& key) const;
  // The key with its revisions, or nullopt.
  std::optional<wire::KvRow> FindRow(const std::string& key) const;
  // Keys in [key, range_end) (range_end as in wire::TxnOpBody) in key order, up to `limit` rows
  // (0: no limit) and while the rows fit *budget (wire::kRange* bounds, taken from it); *more
  // says keys were left out.
  struct Budget {
    size_t rows = wire::kRangeRowsMax;
    size_t bytes = wire::kRangeReplyBytesMax;
  };
  std::vector<wire::KvRow> Range(const std::string& key, const std::string& range_end,
                                 uint64_t limit, Budget* budget, bool* more) const;
  size_t size() const { return data_.size(); }
  // How many keys each lease holds (leases without keys left out).
  std::map<uint64_t, uint64_t> KeysPerLease() const;
  // The revision of the newest mutation (0: none yet).
  uint64_t revision() const { return revision_; }
  // What the last Apply changed, in order, all at revision(); empty when it changed nothing.
  const std::vector<KvEvent>& last_events() const { return events_; }
  // Snapshot bytes: the revision, then every key in order with its value and revisions.
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  struct Entry {
    std::string value;
    uint64_t create_revision = 0;
    uint64_t mod_revision = 0;
    uint64_t version = 0;
    uint64_t lease = 0;
  };

  KvResult Execute(const KvOp& op);
  KvResult ExecuteTxn(const wire::TxnRequestBody& txn, const LeaseTable* leases);  // kv_txn.cc
  bool Holds(const wire::KvCompareBody& compare) const;                            // kv_txn.cc
  // Mutations at revision revision_ + 1; Commit makes it the store's revision when any ran.
  void Put(const std::string& key, const std::string& value, uint64_t lease);
  uint64_t DeleteRange(const std::string& key, const std::string& range_end);
  void Commit();
  static wire::KvRow Row(const std::string& key, const Entry& entry);

  std::map<std::string, Entry> data_;
  uint64_t revision_ = 0;
  std::vector<KvEvent> events_;
};

// The first key after every key that starts with `prefix`, as a range_end: "\0" when there is none
// (an empty prefix or one of 0xff bytes only).
std::string PrefixEnd(const std::string& prefix);

}  // namespace pifleet::sm
