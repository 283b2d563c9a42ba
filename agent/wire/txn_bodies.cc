// Transactions in the client protocol (kv kind 5): TxnRequestBody and TxnReplyBody.
#include "agent/wire/msgpack_fields.h"

namespace pifleet::wire {
using namespace mp;  // NOLINT(google-build-using-namespace): the shared field helpers

namespace {

std::string Key(const msgpack::object& o) {
  std::string key = Bin(o);
  if (key.size() > kKvKeyBytesMax) throw Malformed{};
  return key;
}

void PackOps(Packer& pk, const std::vector<TxnOpBody>& ops) {
  pk.pack_array(static_cast<uint32_t>(ops.size()));
  for (const TxnOpBody& op : ops) {
    pk.pack_array(6);
    pk.pack(op.kind);
    PackBin(pk, op.key);
    PackBin(pk, op.range_end);
    PackBin(pk, op.value);
    pk.pack(op.limit);
    pk.pack(op.lease);
  }
}

std::vector<TxnOpBody> UnpackOps(const msgpack::object& o) {
  const msgpack::object& list = Array(o, kTxnOpsMax);
  std::vector<TxnOpBody> ops;
  for (uint32_t i = 0; i < list.via.array.size; ++i) {
    const msgpack::object* f = Fields(list.via.array.ptr[i], 6);
    const uint64_t kind = U64(f[0]);
    if (kind < TxnOpBody::kPut || kind > TxnOpBody::kDelete) throw Malformed{};
    ops.push_back(TxnOpBody{static_cast<uint8_t>(kind), Key(f[1]), Key(f[2]), Bin(f[3]), U64(f[4]),
                            U64(f[5])});
  }
  return ops;
}

}  // namespace

uint8_t KvRequestKind(const std::string& bytes) {
  uint8_t kind = 0;
  const bool ok = Decode(bytes, [&](const msgpack::object& o) {
    if (o.type != msgpack::type::ARRAY || o.via.array.size == 0) throw Malformed{};
    const uint64_t k = U64(o.via.array.ptr[0]);
    if (k < 1 || k > kKvTxnKind) throw Malformed{};
    kind = static_cast<uint8_t>(k);
  });
  return ok ? kind : 0;
}

std::string EncodeBody(const TxnRequestBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(4);
    pk.pack(kKvTxnKind);
    pk.pack_array(static_cast<uint32_t>(body.compares.size()));
    for (const KvCompareBody& c : body.compares) {
      pk.pack_array(5);
      PackBin(pk, c.key);
      pk.pack(c.target);
      pk.pack(c.op);
      pk.pack(c.number);
      PackBin(pk, c.value);
    }
    PackOps(pk, body.then_ops);
    PackOps(pk, body.else_ops);
  });
}

bool DecodeBody(const std::string& bytes, TxnRequestBody* out) {
  return Decode(bytes, [&](const msgpack::object& o) {
    const msgpack::object* top = Fields(o, 4);
    if (U64(top[0]) != kKvTxnKind) throw Malformed{};
    const msgpack::object& compares = Array(top[1], kTxnComparesMax);
    out->compares.clear();
    for (uint32_t i = 0; i < compares.via.array.size; ++i) {
      const msgpack::object* f = Fields(compares.via.array.ptr[i], 5);
      KvCompareBody c{Key(f[0]), 0, 0, 0, Bin(f[4])};
      const uint64_t target = U64(f[1]);
      const uint64_t op = U64(f[2]);
      if (target > KvCompareBody::kMod || op > KvCompareBody::kGreater) throw Malformed{};
      c.target = static_cast<uint8_t>(target);
      c.op = static_cast<uint8_t>(op);
      c.number = U64(f[3]);
      out->compares.push_back(std::move(c));
    }
    out->then_ops = UnpackOps(top[2]);
    out->else_ops = UnpackOps(top[3]);
  });
}

std::string EncodeBody(const TxnReplyBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(3);
    pk.pack(body.revision);
    pk.pack(body.succeeded);
    pk.pack_array(static_cast<uint32_t>(body.responses.size()));
    for (const TxnResponseBody& r : body.responses) {
      pk.pack_array(4);
      pk.pack(r.kind);
      pk.pack(r.deleted);
      pk.pack(r.more);
      pk.pack_array(static_cast<uint32_t>(r.rows.size()));
      for (const KvRow& row : r.rows) {
        pk.pack_array(6);
        PackBin(pk, row.key);
        PackBin(pk, row.value);
        pk.pack(row.create_revision);
        pk.pack(row.mod_revision);
        pk.pack(row.version);
        pk.pack(row.lease);
      }
    }
  });
}

bool DecodeBody(const std::string& bytes, TxnReplyBody* out) {
  const auto unpack = [&](const msgpack::object& o) {
    const msgpack::object* top = Fields(o, 3);
    out->revision = U64(top[0]);
    out->succeeded = Bool(top[1]);
    const msgpack::object& responses = Array(top[2], kTxnOpsMax);
    out->responses.clear();
    for (uint32_t i = 0; i < responses.via.array.size; ++i) {
      const msgpack::object* f = Fields(responses.via.array.ptr[i], 4);
      TxnResponseBody r;
      const uint64_t kind = U64(f[0]);
      if (kind < TxnOpBody::kPut || kind > TxnOpBody::kDelete) throw Malformed{};
      r.kind = static_cast<uint8_t>(kind);
      r.deleted = U64(f[1]);
      r.more = Bool(f[2]);
      const msgpack::object& rows = Array(f[3], kRangeRowsMax);
      for (uint32_t j = 0; j < rows.via.array.size; ++j) {
        const msgpack::object* k = Fields(rows.via.array.ptr[j], 6);
        r.rows.push_back(KvRow{Bin(k[0]), Bin(k[1]), U64(k[2]), U64(k[3]), U64(k[4]), U64(k[5])});
      }
      out->responses.push_back(std::move(r));
    }
  };
  return Decode(bytes, unpack, kTxnReplyLimits);
}

}  // namespace pifleet::wire
