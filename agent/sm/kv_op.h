// The key-value operations clients send through the log, and their results, with a small
// fixed byte encoding (the command payload the core carries opaquely):
// kind u8 (1..4) | key | value | expected, each a u64 length + bytes (agent/base/bytes.h).
#pragma once

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

struct KvResult {
  bool ok = true;      // cas: swapped; false on a malformed or stale command
  std::string output;  // get: the value ("" = absent)
  bool operator==(const KvResult&) const = default;
};

std::string EncodeKvOp(const KvOp& op);
// nullopt when the bytes are not a well-formed operation.
std::optional<KvOp> DecodeKvOp(const std::string& bytes);

}  // namespace pifleet::sm
