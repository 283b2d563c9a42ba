// 64-bit FNV-1a: the cluster id derived from the cluster's name, and the identity of version 1
// snapshot blobs (older builds' files and offers). Large blobs use XXH3 (fast_hash.h). Not for
// anything an attacker chooses to collide (datagrams are authenticated by the AEAD).
#pragma once

#include <cstdint>
#include <string_view>

namespace pifleet {

class Fnv1a {
 public:
  static constexpr uint64_t kOffsetBasis = 14695981039346656037ull;
  static constexpr uint64_t kPrime = 1099511628211ull;

  constexpr Fnv1a() = default;
  // Another start value, for a value that must stay what an older build computed.
  explicit constexpr Fnv1a(uint64_t basis) : hash_(basis) {}

  constexpr Fnv1a& Add(std::string_view bytes) {
    for (char c : bytes) AddByte(static_cast<uint8_t>(c));
    return *this;
  }
  // The value's 8 bytes, little-endian.
  constexpr Fnv1a& AddU64(uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8) AddByte(static_cast<uint8_t>(value >> shift));
    return *this;
  }
  constexpr uint64_t value() const { return hash_; }

 private:
  constexpr void AddByte(uint8_t byte) { hash_ = (hash_ ^ byte) * kPrime; }
  uint64_t hash_ = kOffsetBasis;
};

constexpr uint64_t Fnv1a64(std::string_view bytes) { return Fnv1a().Add(bytes).value(); }

// The published FNV-1a test vectors, checked at compile time.
static_assert(Fnv1a64("") == 0xcbf29ce484222325ull);
static_assert(Fnv1a64("a") == 0xaf63dc4c8601ec8cull);

}  // namespace pifleet
