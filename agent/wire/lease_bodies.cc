#include "agent/wire/lease_bodies.h"

#include "agent/wire/msgpack_fields.h"

namespace pifleet::wire {
using namespace mp;  // NOLINT(google-build-using-namespace): the shared field helpers

namespace {

const msgpack::unpack_limit kLeaseListLimits(/*array=*/kLeaseRowsMax, /*map=*/0, /*str=*/0,
                                             /*bin=*/0, /*ext=*/0, /*depth=*/3);

}  // namespace

std::string EncodeBody(const LeaseRequestBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(3);
    pk.pack(body.kind);
    pk.pack(body.id);
    pk.pack(body.ttl_ms);
  });
}

bool DecodeBody(const std::string& bytes, LeaseRequestBody* out) {
  return Decode(bytes, [&](const msgpack::object& o) {
    const msgpack::object* f = Fields(o, 3);
    const uint64_t kind = U64(f[0]);
    if (kind < LeaseRequestBody::kGrant || kind > LeaseRequestBody::kRevoke) throw Malformed{};
    *out = LeaseRequestBody{static_cast<uint8_t>(kind), U64(f[1]), U64(f[2])};
  });
}

std::string EncodeBody(const LeaseListBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(static_cast<uint32_t>(body.rows.size()));
    for (const LeaseRow& row : body.rows) {
      pk.pack_array(4);
      pk.pack(row.id);
      pk.pack(row.ttl_ms);
      pk.pack(row.keys);
      pk.pack(row.remaining_ms);
    }
  });
}

bool DecodeBody(const std::string& bytes, LeaseListBody* out) {
  const auto unpack = [&](const msgpack::object& o) {
    const msgpack::object& rows = Array(o, kLeaseRowsMax);
    out->rows.clear();
    for (uint32_t i = 0; i < rows.via.array.size; ++i) {
      const msgpack::object* f = Fields(rows.via.array.ptr[i], 4);
      out->rows.push_back(LeaseRow{U64(f[0]), U64(f[1]), U64(f[2]), I64(f[3])});
    }
  };
  return Decode(bytes, unpack, kLeaseListLimits);
}

}  // namespace pifleet::wire
