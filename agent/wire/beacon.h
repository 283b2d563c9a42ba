// The LAN discovery beacon (WireType 70): a member says "node N of this cluster listens on port
// P of the address this datagram came from". It travels sealed like every datagram, so only a
// holder of the cluster key can send one and a node of another key or cluster drops it, counted
// (unknown_key, auth_failed or wrong_cluster).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace pifleet::wire {

inline constexpr uint8_t kBeaconType = 70;  // WireType::kBeacon

struct Beacon {
  uint64_t node_id = 0;
  uint16_t port = 0;  // the member's UDP listen port
  bool operator==(const Beacon&) const = default;
};

// msgpack [70, node_id, port].
std::string EncodeBeacon(const Beacon& beacon);
// False unless the bytes are exactly one well-formed beacon with a non-zero node and port.
bool DecodeBeacon(std::span<const uint8_t> bytes, Beacon* out);

}  // namespace pifleet::wire
