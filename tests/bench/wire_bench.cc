// Sealing and opening one full datagram with ChaCha20-Poly1305 (what the wire uses), against
// AES-128-GCM from the same mbedTLS in the same run. DESIGN §4 picks ChaCha20 because the Pi 3
// and Pi 4 have no ARMv8 crypto extensions; on a host with AES-NI the ratio can go either way,
// which is why the figure is a ratio and is reported per machine.
#include <benchmark/benchmark.h>
#include <mbedtls/gcm.h>

#include <vector>

#include "agent/wire/limits.h"
#include "agent/wire/seal.h"

namespace pifleet::wire {
namespace {

constexpr size_t kPlaintextBytes = kDatagramBytesDefault - kSealOverheadBytes;

void BM_SealOpenChaChaPoly(benchmark::State& state) {
  Keyring ring;
  KeyBytes key{};
  key[0] = 7;
  if (!ring.Install(key).ok()) state.SkipWithError("install");
  Sealer sealer(&ring, 1, 1, 1);
  Opener opener(&ring, 1, kDatagramBytesDefault);
  const std::vector<uint8_t> plaintext(kPlaintextBytes, 0x5a);
  std::vector<uint8_t> datagram;
  Opened opened;
  for (auto _ : state) {
    if (!sealer.Seal(plaintext, &datagram).ok()) state.SkipWithError("seal");
    if (opener.Open(datagram, &opened) != DropReason::kNone) state.SkipWithError("open");
    benchmark::DoNotOptimize(opened.plaintext.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPlaintextBytes));
}
BENCHMARK(BM_SealOpenChaChaPoly);

void BM_SealOpenAesGcmBaseline(benchmark::State& state) {
  mbedtls_gcm_context gcm;
  mbedtls_gcm_init(&gcm);
  const uint8_t key[16] = {7};
  mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128);
  const std::vector<uint8_t> plaintext(kPlaintextBytes, 0x5a);
  std::vector<uint8_t> sealed(kPlaintextBytes), opened(kPlaintextBytes);
  uint8_t header[kHeaderBytes] = {'P', 'F'};
  uint8_t iv[12] = {};
  uint8_t tag[16];
  uint64_t counter = 0;
  for (auto _ : state) {
    ++counter;
    for (int i = 0; i < 8; ++i) iv[i] = static_cast<uint8_t>(counter >> (8 * i));
    mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, kPlaintextBytes, iv, sizeof(iv), header,
                              sizeof(header), plaintext.data(), sealed.data(), sizeof(tag), tag);
    if (mbedtls_gcm_auth_decrypt(&gcm, kPlaintextBytes, iv, sizeof(iv), header, sizeof(header), tag,
                                 sizeof(tag), sealed.data(), opened.data()) != 0) {
      state.SkipWithError("gcm open");
    }
    benchmark::DoNotOptimize(opened.data());
  }
  mbedtls_gcm_free(&gcm);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPlaintextBytes));
}
BENCHMARK(BM_SealOpenAesGcmBaseline);

}  // namespace
}  // namespace pifleet::wire

BENCHMARK_MAIN();
