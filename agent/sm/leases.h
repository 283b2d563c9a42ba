// Leases (etcd's): a TTL that clients keep alive and that keys attach to (a put with a lease); a
// lease that ends, by revoke or by expiry, deletes its keys at one revision. Time is never read
// here: the leader measures TTLs on its own clock and proposes an expire command naming the leases
// it found silent with the keepalive count it saw, so a keepalive applied after the leader decided
// saves the lease, and every replica ends the same leases at the same slot (daemon/lease_clock.h).
// Commands, told apart by their first byte (integers little-endian, agent/base/bytes.h):
//   grant:     0x40 | ttl_ms u64           the result's output is the new lease id, in decimal
//   keepalive: 0x41 | id u64
//   revoke:    0x42 | id u64               output: "REVISION DELETED"
//   expire:    0x43 | count u64 (<= kLeaseExpireMax) | per lease: id u64 | keepalives u64
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/bytes.h"

namespace pifleet::sm {

inline constexpr size_t kLeasesMax = 10'000;
inline constexpr uint64_t kLeaseTtlMsMin = 1000;
inline constexpr uint64_t kLeaseTtlMsMax = uint64_t{24} * 3600 * 1000;
inline constexpr size_t kLeaseExpireMax = 256;

enum class LeaseCommandKind : uint8_t {
  kGrant = 0x40,
  kKeepAlive = 0x41,
  kRevoke = 0x42,
  kExpire = 0x43
};

struct LeaseCommand {
  LeaseCommandKind kind = LeaseCommandKind::kGrant;
  uint64_t ttl_ms = 0;                                // grant
  uint64_t id = 0;                                    // keepalive, revoke
  std::vector<std::pair<uint64_t, uint64_t>> expire;  // (id, keepalives seen)
  bool operator==(const LeaseCommand&) const = default;
};

bool IsLeaseCommand(const std::string& payload);
std::string EncodeLeaseCommand(const LeaseCommand& command);
std::optional<LeaseCommand> DecodeLeaseCommand(const std::string& payload);

struct Lease {
  uint64_t ttl_ms = 0;
  uint64_t keepalives = 0;  // applied so far: an expiry names the count it saw
  bool operator==(const Lease&) const = default;
};

class LeaseTable {
 public:
  // 0 when the table is full or the TTL out of its range.
  uint64_t Grant(uint64_t ttl_ms);
  bool KeepAlive(uint64_t id);
  bool Remove(uint64_t id);
  const Lease* Find(uint64_t id) const;
  const std::map<uint64_t, Lease>& leases() const { return leases_; }
  // Snapshot bytes: the last id handed out, then every lease in id order.
  void EncodeTo(ByteWriter& w) const;
  bool DecodeFrom(ByteReader& r);

 private:
  std::map<uint64_t, Lease> leases_;
  uint64_t last_id_ = 0;  // ids are never reused
};

}  // namespace pifleet::sm
