#include "agent/wire/client_bodies.h"

#include "agent/wire/msgpack_fields.h"

namespace pifleet::wire {
namespace {

using namespace mp;  // NOLINT(google-build-using-namespace): the shared field helpers

}  // namespace

std::string EncodeBody(const KvRequestBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(4);
    pk.pack(body.kind);
    PackBin(pk, body.key);
    PackBin(pk, body.value);
    PackBin(pk, body.expected);
  });
}

bool DecodeBody(const std::string& bytes, KvRequestBody* out) {
  return Decode(bytes, [&](const msgpack::object& o) {
    const msgpack::object* f = Fields(o, 4);
    const uint64_t kind = U64(f[0]);
    if (kind < 1 || kind > 4) throw Malformed{};
    *out = KvRequestBody{static_cast<uint8_t>(kind), Bin(f[1]), Bin(f[2]), Bin(f[3])};
  });
}

std::string EncodeBody(const KvReplyBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(4);
    pk.pack(body.ok);
    pk.pack(body.found);
    PackBin(pk, body.value);
    pk.pack(static_cast<uint8_t>(body.outcome));
  });
}

bool DecodeBody(const std::string& bytes, KvReplyBody* out) {
  return Decode(bytes, [&](const msgpack::object& o) {
    const msgpack::object* f = Fields(o, 4);
    const uint64_t outcome = U64(f[3]);
    if (outcome > 2) throw Malformed{};
    *out =
        KvReplyBody{Bool(f[0]), Bool(f[1]), Bin(f[2]), static_cast<KvReplyBody::Outcome>(outcome)};
  });
}

std::string EncodeBody(const LocalGetBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(1);
    PackBin(pk, body.key);
  });
}

bool DecodeBody(const std::string& bytes, LocalGetBody* out) {
  return Decode(bytes, [&](const msgpack::object& o) { out->key = Bin(Fields(o, 1)[0]); });
}

std::string EncodeBody(const RegisterReplyBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(1);
    pk.pack(body.session);
  });
}

bool DecodeBody(const std::string& bytes, RegisterReplyBody* out) {
  return Decode(bytes, [&](const msgpack::object& o) { out->session = U64(Fields(o, 1)[0]); });
}

const MemberRow* MembersBody::Find(uint64_t node_id) const {
  for (const MemberRow& row : rows) {
    if (row.node_id == node_id) return &row;
  }
  return nullptr;
}

std::string EncodeBody(const MembersBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(3);
    pk.pack(body.view_node_id);
    pk.pack(body.leader_id);
    pk.pack_array(static_cast<uint32_t>(body.rows.size()));
    for (const MemberRow& r : body.rows) {
      pk.pack_array(12);
      pk.pack(r.node_id);
      pk.pack(r.name);
      pk.pack(r.address);
      pk.pack(r.voting);
      pk.pack(r.role);
      pk.pack(r.version);
      pk.pack(r.board);
      pk.pack(r.serial);
      pk.pack(r.last_heard_ms);
      pk.pack(r.capacity_milli);
      pk.pack(r.temperature_milli);
      pk.pack(r.throttled_bits);
    }
  });
}

bool DecodeBody(const std::string& bytes, MembersBody* out) {
  return Decode(bytes, [&](const msgpack::object& o) {
    const msgpack::object* top = Fields(o, 3);
    out->view_node_id = U64(top[0]);
    out->leader_id = U64(top[1]);
    const msgpack::object& rows = top[2];
    if (rows.type != msgpack::type::ARRAY) throw Malformed{};
    out->rows.clear();
    for (uint32_t i = 0; i < rows.via.array.size; ++i) {
      const msgpack::object* f = Fields(rows.via.array.ptr[i], 12);
      MemberRow r;
      r.node_id = U64(f[0]);
      r.name = Bin(f[1]);
      r.address = Bin(f[2]);
      r.voting = Bin(f[3]);
      r.role = Bin(f[4]);
      r.version = Bin(f[5]);
      r.board = Bin(f[6]);
      r.serial = Bin(f[7]);
      r.last_heard_ms = I64(f[8]);
      r.capacity_milli = I64(f[9]);
      r.temperature_milli = I64(f[10]);
      const uint64_t bits = U64(f[11]);
      if (bits > UINT32_MAX) throw Malformed{};
      r.throttled_bits = static_cast<uint32_t>(bits);
      out->rows.push_back(std::move(r));
    }
  });
}

}  // namespace pifleet::wire
