// The key-value operations clients send through the log, and their results, with a small
// fixed byte encoding (the command payload the core carries opaquely):
// kind u8 (1..4) | key | value | expected, each a u64 length + bytes (agent/base/bytes.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace pifleet::sm {

enum class KvKind : uint8_t { kPut = 1, kGet = 2, kCas = 3, kDelete = 4 };

struct KvOp {
  KvKind kind = KvKind::kGet;
  std::string key;
  std::string value;     // put value / cas new value
  std::string expected;  // cas: the value the key must hold ("" = absent)
  bool operator==(const KvOp&) const = default;
};

// The largest value a put carries (a command carries one key, one value and its framing, and
// core::kCommandBytesMax leaves room for both).
inline constexpr size_t kKvValueBytesMax = size_t{64} * 1024;

// The result of one applied command (kv, members, keys or sessions). Only ok, found and output
// are state (kept for retries and in snapshots); outcome and session describe this application.
struct KvResult {
  enum class Outcome : uint8_t {
    kApplied = 0,    // executed now
    kDuplicate = 1,  // a retry of the session's last command: its first result, not re-run
    kRefused = 2,    // unknown or expired session, or a stale sequence: not executed
  };
  bool ok = true;      // cas: swapped; false on a malformed, refused or failed command
  std::string output;  // get: the value; a failed command: why
  bool found = false;  // get: the key exists (an empty value is not an absent key)
  Outcome outcome = Outcome::kApplied;
  uint64_t session = 0;  // a registration: the new session's id
  bool operator==(const KvResult&) const = default;
};

std::string EncodeKvOp(const KvOp& op);
// nullopt when the bytes are not a well-formed operation.
std::optional<KvOp> DecodeKvOp(const std::string& bytes);

}  // namespace pifleet::sm
