#include "agent/wire/beacon.h"

#include <msgpack.hpp>

namespace pifleet::wire {

std::string EncodeBeacon(const Beacon& beacon) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_array(3);
  pk.pack(kBeaconType);
  pk.pack(beacon.node_id);
  pk.pack(beacon.port);
  return std::string(buffer.data(), buffer.size());
}

bool DecodeBeacon(std::span<const uint8_t> bytes, Beacon* out) {
  // A beacon is a few bytes: refuse anything larger before msgpack allocates for it.
  constexpr size_t kBeaconBytesMax = 32;
  if (bytes.empty() || bytes.size() > kBeaconBytesMax) return false;
  try {
    size_t offset = 0;
    const msgpack::object_handle handle =
        msgpack::unpack(reinterpret_cast<const char*>(bytes.data()), bytes.size(), offset);
    if (offset != bytes.size()) return false;
    const msgpack::object& root = handle.get();
    if (root.type != msgpack::type::ARRAY || root.via.array.size != 3) return false;
    const msgpack::object* f = root.via.array.ptr;
    for (int i = 0; i < 3; ++i) {
      if (f[i].type != msgpack::type::POSITIVE_INTEGER) return false;
    }
    if (f[0].via.u64 != kBeaconType || f[1].via.u64 == 0 || f[2].via.u64 == 0 ||
        f[2].via.u64 > UINT16_MAX) {
      return false;
    }
    out->node_id = f[1].via.u64;
    out->port = static_cast<uint16_t>(f[2].via.u64);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace pifleet::wire
