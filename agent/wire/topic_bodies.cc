#include "agent/wire/topic_bodies.h"

#include "agent/wire/msgpack_fields.h"

namespace pifleet::wire {
using namespace mp;  // NOLINT(google-build-using-namespace): the shared field helpers

namespace {

const msgpack::unpack_limit kTopicLimits(/*array=*/kTopicFieldsMax, /*map=*/0,
                                         /*str=*/core::kCommandBytesMax,
                                         /*bin=*/core::kCommandBytesMax, /*ext=*/0, /*depth=*/3);

std::string Name(const msgpack::object& o) {
  std::string s = Bin(o);
  if (s.size() > kTopicNameWireBytesMax) throw Malformed{};
  return s;
}

uint8_t Small(const msgpack::object& o) {
  const uint64_t v = U64(o);
  if (v > 255) throw Malformed{};
  return static_cast<uint8_t>(v);
}

}  // namespace

std::string EncodeBody(const TopicRequestBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(8);
    pk.pack(body.kind);
    pk.pack(body.topic);
    pk.pack(body.type);
    PackBin(pk, body.data);
    pk.pack(body.retain_count);
    pk.pack(body.retain_bytes);
    pk.pack(body.create);
    pk.pack_array(static_cast<uint32_t>(body.fields.size()));
    for (const auto& [name, kind] : body.fields) {
      pk.pack_array(2);
      pk.pack(name);
      pk.pack(kind);
    }
  });
}

bool DecodeBody(const std::string& bytes, TopicRequestBody* out) {
  const auto unpack = [&](const msgpack::object& o) {
    const msgpack::object* f = Fields(o, 8);
    TopicRequestBody body{Small(f[0]), Name(f[1]), Name(f[2]), Bin(f[3]),
                          U64(f[4]),   U64(f[5]),  Bool(f[6]), {}};
    if (body.kind < TopicRequestBody::kCreate || body.kind > TopicRequestBody::kPublish) {
      throw Malformed{};
    }
    const msgpack::object& fields = Array(f[7], kTopicFieldsMax);
    for (uint32_t i = 0; i < fields.via.array.size; ++i) {
      const msgpack::object* field = Fields(fields.via.array.ptr[i], 2);
      body.fields.emplace_back(Name(field[0]), Small(field[1]));
    }
    *out = std::move(body);
  };
  return Decode(bytes, unpack, kTopicLimits);
}

std::string EncodeBody(const TopicReadBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(3);
    pk.pack(body.topic);
    pk.pack(body.from_offset);
    pk.pack(body.limit);
  });
}

bool DecodeBody(const std::string& bytes, TopicReadBody* out) {
  const auto unpack = [&](const msgpack::object& o) {
    const msgpack::object* f = Fields(o, 3);
    *out = TopicReadBody{Name(f[0]), U64(f[1]), U64(f[2])};
  };
  return Decode(bytes, unpack, kTopicLimits);
}

}  // namespace pifleet::wire
