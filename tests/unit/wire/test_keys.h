#pragma once

#include "agent/wire/keyring.h"

namespace pifleet::wire {

inline KeyBytes TestKey(uint8_t fill) {
  KeyBytes key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(fill + i * 7);
  return key;
}

// Two test keys whose ids differ (the id is the first byte of the key's SHA-256).
inline std::pair<KeyBytes, KeyBytes> TwoTestKeys() {
  KeyBytes a = TestKey(1);
  for (uint8_t fill = 2;; ++fill) {
    KeyBytes b = TestKey(fill);
    if (KeyId(b) != KeyId(a)) return {a, b};
  }
}

}  // namespace pifleet::wire
