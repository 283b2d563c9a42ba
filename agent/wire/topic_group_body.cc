#include "agent/wire/topic_group_body.h"

#include "agent/wire/msgpack_fields.h"

namespace pifleet::wire {
using namespace mp;  // NOLINT(google-build-using-namespace): the shared field helpers

namespace {

constexpr size_t kStringWireBytesMax = 1024;

const msgpack::unpack_limit kGroupLimits(/*array=*/kTopicGroupAcksWireMax, /*map=*/0,
                                         /*str=*/kStringWireBytesMax, /*bin=*/kStringWireBytesMax,
                                         /*ext=*/0, /*depth=*/3);

std::string Text(const msgpack::object& o) {
  std::string s = Bin(o);
  if (s.size() > kStringWireBytesMax) throw Malformed{};
  return s;
}

}  // namespace

std::string EncodeBody(const TopicGroupBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(11);
    pk.pack(body.claim);
    pk.pack(body.topic);
    pk.pack(body.group);
    pk.pack(body.member);
    pk.pack(body.max);
    pk.pack(body.start);
    pk.pack(body.ack_wait_ms);
    pk.pack(body.max_deliveries);
    pk.pack_array(static_cast<uint32_t>(body.types.size()));
    for (const std::string& type : body.types) pk.pack(type);
    pk.pack_array(static_cast<uint32_t>(body.acks.size()));
    for (const TopicGroupAckBody& ack : body.acks) {
      pk.pack_array(3);
      pk.pack(ack.offset);
      pk.pack(ack.attempt);
      pk.pack(ack.outcome);
    }
    pk.pack(body.reason);
  });
}

bool DecodeBody(const std::string& bytes, TopicGroupBody* out) {
  const auto unpack = [&](const msgpack::object& o) {
    const msgpack::object* f = Fields(o, 11);
    TopicGroupBody body{Bool(f[0]), Text(f[1]), Text(f[2]), Text(f[3]), U64(f[4]), U64(f[5]),
                        U64(f[6]),  U64(f[7]),  {},         {},         {}};
    const msgpack::object& types = Array(f[8], kTopicGroupTypesWireMax);
    for (uint32_t i = 0; i < types.via.array.size; ++i) {
      body.types.push_back(Text(types.via.array.ptr[i]));
    }
    const msgpack::object& acks = Array(f[9], kTopicGroupAcksWireMax);
    for (uint32_t i = 0; i < acks.via.array.size; ++i) {
      const msgpack::object* a = Fields(acks.via.array.ptr[i], 3);
      const uint64_t outcome = U64(a[2]);
      if (outcome > 2) throw Malformed{};
      body.acks.push_back({U64(a[0]), U64(a[1]), static_cast<uint8_t>(outcome)});
    }
    body.reason = Text(f[10]);
    *out = std::move(body);
  };
  return Decode(bytes, unpack, kGroupLimits);
}

}  // namespace pifleet::wire
