// ChaCha20-Poly1305 (mbedTLS) under a per-(sender, epoch) subkey. ChaCha20 because the Pi 3 and
// Pi 4 cores lack the ARMv8 crypto extensions that make AES-GCM fast (DESIGN §4).
#pragma once

#include <mbedtls/chachapoly.h>

#include <cstdint>
#include <span>

#include "agent/wire/keyring.h"
#include "agent/wire/limits.h"

namespace pifleet::wire {

// HKDF-SHA256(cluster key; info = cluster id, sender, epoch, key id). Every (sender, epoch)
// seals under its own key, so equal counters of two senders never reuse a (key, nonce) pair.
KeyBytes DeriveSubkey(const KeyBytes& cluster_key, uint8_t key_id, uint64_t cluster_id,
                      uint64_t sender, uint32_t epoch);

// The nonce is the datagram counter, little-endian, zero-padded to 96 bits.
std::array<uint8_t, kNonceBytes> NonceFor(uint64_t counter);

// One subkey's cipher context. Not copyable: the context holds key material, wiped on destroy.
class AeadKey {
 public:
  explicit AeadKey(const KeyBytes& subkey);
  ~AeadKey();
  AeadKey(const AeadKey&) = delete;
  AeadKey& operator=(const AeadKey&) = delete;

  // Writes plaintext.size() bytes of ciphertext to out, then the 16-byte tag.
  void Seal(uint64_t counter, std::span<const uint8_t> aad, std::span<const uint8_t> plaintext,
            uint8_t* out);
  // ciphertext_and_tag ends with the tag; writes size - 16 bytes to out. False when forged.
  bool Open(uint64_t counter, std::span<const uint8_t> aad,
            std::span<const uint8_t> ciphertext_and_tag, uint8_t* out);

 private:
  mbedtls_chachapoly_context context_;
};

}  // namespace pifleet::wire
