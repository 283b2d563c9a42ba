#include "agent/wire/watch_bodies.h"

#include "agent/wire/msgpack_fields.h"

namespace pifleet::wire {
using namespace mp;  // NOLINT(google-build-using-namespace): the shared field helpers

namespace {

const msgpack::unpack_limit kWatchReplyLimits(/*array=*/kWatchEventsMax, /*map=*/0,
                                              /*str=*/core::kCommandBytesMax,
                                              /*bin=*/core::kCommandBytesMax, /*ext=*/0,
                                              /*depth=*/3);

}  // namespace

std::string EncodeBody(const WatchRequestBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(5);
    PackBin(pk, body.key);
    PackBin(pk, body.range_end);
    pk.pack(body.from_revision);
    pk.pack(body.from_index);
    pk.pack(body.wait_ms);
  });
}

bool DecodeBody(const std::string& bytes, WatchRequestBody* out) {
  return Decode(bytes, [&](const msgpack::object& o) {
    const msgpack::object* f = Fields(o, 5);
    out->key = Bin(f[0]);
    out->range_end = Bin(f[1]);
    if (out->key.size() > kKvKeyBytesMax || out->range_end.size() > kKvKeyBytesMax) {
      throw Malformed{};
    }
    out->from_revision = U64(f[2]);
    out->from_index = U64(f[3]);
    const uint64_t wait_ms = U64(f[4]);
    if (wait_ms > kWatchWaitMsMax) throw Malformed{};
    out->wait_ms = static_cast<uint32_t>(wait_ms);
  });
}

std::string EncodeBody(const WatchReplyBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(5);
    pk.pack(body.status);
    pk.pack(body.oldest_revision);
    pk.pack(body.next_revision);
    pk.pack(body.next_index);
    pk.pack_array(static_cast<uint32_t>(body.events.size()));
    for (const WatchEventBody& e : body.events) {
      pk.pack_array(7);
      pk.pack(e.type);
      PackBin(pk, e.row.key);
      PackBin(pk, e.row.value);
      pk.pack(e.row.create_revision);
      pk.pack(e.row.mod_revision);
      pk.pack(e.row.version);
      pk.pack(e.row.lease);
    }
  });
}

bool DecodeBody(const std::string& bytes, WatchReplyBody* out) {
  const auto unpack = [&](const msgpack::object& o) {
    const msgpack::object* f = Fields(o, 5);
    const uint64_t status = U64(f[0]);
    if (status > WatchReplyBody::kCompacted) throw Malformed{};
    out->status = static_cast<uint8_t>(status);
    out->oldest_revision = U64(f[1]);
    out->next_revision = U64(f[2]);
    out->next_index = U64(f[3]);
    const msgpack::object& events = Array(f[4], kWatchEventsMax);
    out->events.clear();
    for (uint32_t i = 0; i < events.via.array.size; ++i) {
      const msgpack::object* e = Fields(events.via.array.ptr[i], 7);
      const uint64_t type = U64(e[0]);
      if (type > 1) throw Malformed{};
      out->events.push_back(
          WatchEventBody{static_cast<uint8_t>(type),
                         KvRow{Bin(e[1]), Bin(e[2]), U64(e[3]), U64(e[4]), U64(e[5]), U64(e[6])}});
    }
  };
  return Decode(bytes, unpack, kWatchReplyLimits);
}

}  // namespace pifleet::wire
