// Sealing and opening datagrams (DESIGN §4):
//   magic "PF" | version | key id | cluster id | sender | epoch | counter | ciphertext | tag
// The header is associated data; the body is ChaCha20-Poly1305 under the (sender, epoch) subkey.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "agent/base/status.h"
#include "agent/wire/aead.h"
#include "agent/wire/drop_reason.h"
#include "agent/wire/keyring.h"
#include "agent/wire/replay_window.h"

namespace pifleet::wire {

// Seals what one sender sends during one epoch. The epoch must be persisted (and synced)
// before the first Seal so that a restarted node never reuses a (subkey, counter) pair.
class Sealer {
 public:
  Sealer(const Keyring* keyring, uint64_t cluster_id, uint64_t sender, uint32_t epoch);

  // Replaces *datagram with the sealed plaintext. Fails when the keyring has no key.
  Status Seal(std::span<const uint8_t> plaintext, std::vector<uint8_t>* datagram);
  // The same under an installed key other than the primary: an agent answers a client in the
  // key the client asked with, so a client keeps working until its key is removed.
  Status SealWith(uint8_t key_id, std::span<const uint8_t> plaintext,
                  std::vector<uint8_t>* datagram);
  uint64_t counter() const { return counter_; }

 private:
  struct CachedKey {
    KeyBytes key_bytes{};  // the cluster key the subkey was derived from
    std::unique_ptr<AeadKey> aead;
  };

  const Keyring* keyring_;
  uint64_t cluster_id_;
  uint64_t sender_;
  uint32_t epoch_;
  uint64_t counter_ = 0;  // last counter used, under every key; the first datagram carries 1
  std::map<uint8_t, CachedKey> cached_keys_;  // by key id: at most 256 entries
};

struct Opened {
  uint8_t key_id = 0;  // the installed key it was sealed with
  uint64_t sender = 0;
  uint32_t epoch = 0;
  uint64_t counter = 0;
  std::vector<uint8_t> plaintext;
};

// Opens datagrams from every sender: authenticates, then filters replays and old epochs.
// Memory is bounded by kPeersMax and kSubkeyCacheMax whatever arrives.
class Opener {
 public:
  Opener(const Keyring* keyring, uint64_t cluster_id, size_t datagram_bytes_max);

  // kNone and *out filled on success; otherwise the reason, counted, and *out unspecified.
  DropReason Open(std::span<const uint8_t> datagram, Opened* out);
  const DropCounters& counters() const { return counters_; }

 private:
  struct Peer {
    uint32_t epoch = 0;
    ReplayWindow window;
    uint64_t last_heard = 0;  // value of heard_sequence_ when last accepted
  };
  using SubkeyId = std::tuple<uint8_t, uint64_t, uint32_t>;  // key id, sender, epoch

  DropReason OpenUncounted(std::span<const uint8_t> datagram, Opened* out);
  AeadKey& SubkeyFor(uint8_t key_id, const KeyBytes& key, uint64_t sender, uint32_t epoch);
  Peer& PeerFor(uint64_t sender);

  const Keyring* keyring_;
  uint64_t cluster_id_;
  size_t datagram_bytes_max_;
  std::unordered_map<uint64_t, Peer> peers_;
  uint64_t heard_sequence_ = 0;
  struct CachedSubkey {
    KeyBytes key;  // the cluster key it came from: a re-installed id with new bytes re-derives
    std::unique_ptr<AeadKey> aead;
  };
  std::map<SubkeyId, CachedSubkey> subkeys_;
  std::deque<SubkeyId> subkey_order_;  // oldest first, for eviction
  DropCounters counters_{};
};

}  // namespace pifleet::wire
