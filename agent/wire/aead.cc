#include "agent/wire/aead.h"

#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include "agent/base/assert.h"
#include "agent/base/bytes.h"

namespace pifleet::wire {
namespace {

constexpr char kHkdfSalt[] = "pifleet wire v1";

}  // namespace

KeyBytes DeriveSubkey(const KeyBytes& cluster_key, uint8_t key_id, uint64_t cluster_id,
                      uint64_t sender, uint32_t epoch) {
  uint8_t info[8 + 8 + 4 + 1];
  uint8_t* p = info;
  StoreFixed(p, cluster_id);
  StoreFixed(p, sender);
  StoreFixed(p, epoch);
  *p++ = key_id;
  KeyBytes subkey;
  const int rc = mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                              reinterpret_cast<const uint8_t*>(kHkdfSalt), sizeof(kHkdfSalt) - 1,
                              cluster_key.data(), cluster_key.size(), info, sizeof(info),
                              subkey.data(), subkey.size());
  PIFLEET_ASSERT_MSG(rc == 0, "HKDF-SHA256 failed");
  return subkey;
}

std::array<uint8_t, kNonceBytes> NonceFor(uint64_t counter) {
  std::array<uint8_t, kNonceBytes> nonce{};
  uint8_t* p = nonce.data();
  StoreFixed(p, counter);
  return nonce;
}

AeadKey::AeadKey(const KeyBytes& subkey) {
  mbedtls_chachapoly_init(&context_);
  PIFLEET_ASSERT(mbedtls_chachapoly_setkey(&context_, subkey.data()) == 0);
}

AeadKey::~AeadKey() { mbedtls_chachapoly_free(&context_); }

void AeadKey::Seal(uint64_t counter, std::span<const uint8_t> aad,
                   std::span<const uint8_t> plaintext, uint8_t* out) {
  const auto nonce = NonceFor(counter);
  const int rc =
      mbedtls_chachapoly_encrypt_and_tag(&context_, plaintext.size(), nonce.data(), aad.data(),
                                         aad.size(), plaintext.data(), out, out + plaintext.size());
  PIFLEET_ASSERT_MSG(rc == 0, "ChaCha20-Poly1305 seal failed");
}

bool AeadKey::Open(uint64_t counter, std::span<const uint8_t> aad,
                   std::span<const uint8_t> ciphertext_and_tag, uint8_t* out) {
  PIFLEET_ASSERT(ciphertext_and_tag.size() >= kTagBytes);
  const size_t length = ciphertext_and_tag.size() - kTagBytes;
  const auto nonce = NonceFor(counter);
  const int rc = mbedtls_chachapoly_auth_decrypt(&context_, length, nonce.data(), aad.data(),
                                                 aad.size(), ciphertext_and_tag.data() + length,
                                                 ciphertext_and_tag.data(), out);
  if (rc != 0) mbedtls_platform_zeroize(out, length);  // never leave unauthenticated plaintext
  return rc == 0;
}

}  // namespace pifleet::wire
