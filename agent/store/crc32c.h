// CRC-32C (Castagnoli), software and table-driven so that it is identical on x86 and the Pi.
// Stored checksums are masked: a CRC computed over data that itself holds CRCs is weak.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pifleet::store::crc32c {

// Returns the CRC-32C of data[0, n) appended to a stream whose CRC so far is crc.
uint32_t Extend(uint32_t crc, const void* data, size_t n);

inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }

inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

// Rotate right by 15 bits, then add a constant.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rotated = masked - kMaskDelta;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace pifleet::store::crc32c
