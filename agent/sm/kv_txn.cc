#include "agent/sm/kv_txn.h"

#include <set>

#include "agent/base/bytes.h"
#include "agent/sm/kv.h"
#include "agent/sm/kv_op.h"

namespace pifleet::sm {
namespace {

constexpr uint8_t kTxnKind = wire::kKvTxnKind;

void EncodeOps(ByteWriter& w, const std::vector<wire::TxnOpBody>& ops) {
  w.U64(ops.size());
  for (const wire::TxnOpBody& op : ops) {
    w.U8(op.kind);
    w.Str(op.key);
    w.Str(op.range_end);
    w.Str(op.value);
    w.U64(op.limit);
    w.U64(op.lease);
  }
}

bool DecodeOps(ByteReader& r, std::vector<wire::TxnOpBody>* ops) {
  const uint64_t count = r.U64();
  if (!r.ok || count > wire::kTxnOpsMax) return false;
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    wire::TxnOpBody op;
    op.kind = r.U8();
    op.key = r.Str(wire::kKvKeyBytesMax);
    op.range_end = r.Str(wire::kKvKeyBytesMax);
    op.value = r.Str(kKvValueBytesMax);
    op.limit = r.U64();
    op.lease = r.U64();
    if (op.kind < wire::TxnOpBody::kPut || op.kind > wire::TxnOpBody::kDelete) return false;
    ops->push_back(std::move(op));
  }
  return r.ok;
}

bool InRange(const std::string& key, const wire::TxnOpBody& del) {
  if (del.range_end.empty()) return key == del.key;
  return key >= del.key && (del.range_end == std::string(1, '\0') || key < del.range_end);
}

std::string CheckBranch(const std::vector<wire::TxnOpBody>& ops) {
  std::set<std::string> puts;
  for (const wire::TxnOpBody& op : ops) {
    if (op.kind != wire::TxnOpBody::kPut) continue;
    if (!puts.insert(op.key).second) return "duplicate key given in txn request: " + op.key;
    for (const wire::TxnOpBody& del : ops) {
      if (del.kind == wire::TxnOpBody::kDelete && InRange(op.key, del)) {
        return "a put and a delete of one key in one txn branch: " + op.key;
      }
    }
  }
  return "";
}

int Order(const std::string& a, const std::string& b) { return a < b ? -1 : (a == b ? 0 : 1); }
int Order(uint64_t a, uint64_t b) { return a < b ? -1 : (a == b ? 0 : 1); }

}  // namespace

bool IsKvTxn(const std::string& payload) {
  return !payload.empty() && static_cast<uint8_t>(payload[0]) == kTxnKind;
}

std::string EncodeKvTxn(const wire::TxnRequestBody& txn) {
  ByteWriter w;
  w.U8(kTxnKind);
  w.U64(txn.compares.size());
  for (const wire::KvCompareBody& c : txn.compares) {
    w.Str(c.key);
    w.Str(c.value);
    w.U8(c.target);
    w.U8(c.op);
    w.U64(c.number);
  }
  EncodeOps(w, txn.then_ops);
  EncodeOps(w, txn.else_ops);
  return std::move(w.out);
}

std::optional<wire::TxnRequestBody> DecodeKvTxn(const std::string& bytes) {
  ByteReader r{bytes};
  if (r.U8() != kTxnKind) return std::nullopt;
  wire::TxnRequestBody txn;
  const uint64_t compares = r.U64();
  if (!r.ok || compares > wire::kTxnComparesMax) return std::nullopt;
  for (uint64_t i = 0; i < compares && r.ok; ++i) {
    wire::KvCompareBody c;
    c.key = r.Str(wire::kKvKeyBytesMax);
    c.value = r.Str(kKvValueBytesMax);
    c.target = r.U8();
    c.op = r.U8();
    c.number = r.U64();
    if (c.target > wire::KvCompareBody::kMod || c.op > wire::KvCompareBody::kGreater) {
      return std::nullopt;
    }
    txn.compares.push_back(std::move(c));
  }
  if (!DecodeOps(r, &txn.then_ops) || !DecodeOps(r, &txn.else_ops) || !r.Done()) {
    return std::nullopt;
  }
  return txn;
}

std::string CheckKvTxn(const wire::TxnRequestBody& txn) {
  if (std::string why = CheckBranch(txn.then_ops); !why.empty()) return why;
  return CheckBranch(txn.else_ops);
}

bool KvStore::Holds(const wire::KvCompareBody& compare) const {
  auto it = data_.find(compare.key);
  int order = 0;
  if (compare.target == wire::KvCompareBody::kValue) {
    if (it == data_.end()) return false;  // as etcd: a value compare on an absent key fails
    order = Order(it->second.value, compare.value);
  } else {
    const Entry absent;
    const Entry& entry = it == data_.end() ? absent : it->second;
    const uint64_t actual = compare.target == wire::KvCompareBody::kVersion  ? entry.version
                            : compare.target == wire::KvCompareBody::kCreate ? entry.create_revision
                                                                             : entry.mod_revision;
    order = Order(actual, compare.number);
  }
  switch (compare.op) {
    case wire::KvCompareBody::kEqual:
      return order == 0;
    case wire::KvCompareBody::kNotEqual:
      return order != 0;
    case wire::KvCompareBody::kLess:
      return order < 0;
    default:
      return order > 0;
  }
}

KvResult KvStore::ExecuteTxn(const wire::TxnRequestBody& txn, const LeaseTable* leases) {
  if (std::string why = CheckKvTxn(txn); !why.empty()) return KvResult{false, why};
  wire::TxnReplyBody reply;
  reply.succeeded = true;
  for (const wire::KvCompareBody& compare : txn.compares) {
    reply.succeeded = reply.succeeded && Holds(compare);
  }
  const std::vector<wire::TxnOpBody>& ops = reply.succeeded ? txn.then_ops : txn.else_ops;
  for (const wire::TxnOpBody& op : ops) {
    // A put that names a lease that does not exist (or ended) is refused whole, as in etcd.
    if (op.kind == wire::TxnOpBody::kPut && op.lease != 0 &&
        (leases == nullptr || leases->Find(op.lease) == nullptr)) {
      return KvResult{false, "lease " + std::to_string(op.lease) + " not found"};
    }
  }
  Budget budget;
  for (const wire::TxnOpBody& op : ops) {
    wire::TxnResponseBody response;
    response.kind = op.kind;
    if (op.kind == wire::TxnOpBody::kPut) {
      Put(op.key, op.value, op.lease);
    } else if (op.kind == wire::TxnOpBody::kDelete) {
      response.deleted = DeleteRange(op.key, op.range_end);
    } else {
      response.rows = Range(op.key, op.range_end, op.limit, &budget, &response.more);
    }
    reply.responses.push_back(std::move(response));
  }
  Commit();
  reply.revision = revision_;
  return KvResult{true, wire::EncodeBody(reply)};
}

bool WritesUnder(std::string_view prefix, const wire::KvRequestBody& request) {
  return request.kind != static_cast<uint8_t>(KvKind::kGet) && request.key.starts_with(prefix);
}

bool WritesUnder(std::string_view prefix, const wire::TxnRequestBody& txn) {
  std::string prefix_end(prefix);  // the first key after every key under the prefix
  ++prefix_end.back();
  const std::string whole_prefix(prefix);
  // Does [key, range_end) (range_end "" = the key alone, "\0" = every key from key on) hold one?
  const auto overlaps = [&](const std::string& key, const std::string& range_end) {
    if (range_end.empty()) return key.starts_with(prefix);
    const bool to_the_end = range_end == std::string(1, '\0');
    return key < prefix_end && (to_the_end || range_end > whole_prefix);
  };
  for (const auto* ops : {&txn.then_ops, &txn.else_ops}) {
    for (const wire::TxnOpBody& op : *ops) {
      if (op.kind == wire::TxnOpBody::kRange) continue;
      if (op.kind == wire::TxnOpBody::kPut ? op.key.starts_with(prefix)
                                           : overlaps(op.key, op.range_end)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace pifleet::sm
