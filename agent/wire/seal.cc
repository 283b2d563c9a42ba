#include "agent/wire/seal.h"

#include <algorithm>

#include "agent/base/assert.h"
#include "agent/wire/header.h"

namespace pifleet::wire {

Sealer::Sealer(const Keyring* keyring, uint64_t cluster_id, uint64_t sender, uint32_t epoch)
    : keyring_(keyring), cluster_id_(cluster_id), sender_(sender), epoch_(epoch) {
  PIFLEET_ASSERT(keyring != nullptr);
}

Status Sealer::Seal(std::span<const uint8_t> plaintext, std::vector<uint8_t>* datagram) {
  const auto primary = keyring_->primary_id();
  if (!primary) return Status::InvalidArgument("no cluster key installed");
  return SealWith(*primary, plaintext, datagram);
}

Status Sealer::SealWith(uint8_t key_id, std::span<const uint8_t> plaintext,
                        std::vector<uint8_t>* datagram) {
  const KeyBytes* key = keyring_->Find(key_id);
  if (key == nullptr) return Status::NotFound("no installed key with id " + std::to_string(key_id));
  CachedKey& cached = cached_keys_[key_id];
  if (!cached.aead || cached.key_bytes != *key) {
    cached.aead =
        std::make_unique<AeadKey>(DeriveSubkey(*key, key_id, cluster_id_, sender_, epoch_));
    cached.key_bytes = *key;
  }
  PIFLEET_ASSERT_MSG(counter_ < UINT64_MAX, "datagram counter exhausted; bump the epoch");
  Header header;
  header.key_id = key_id;
  header.cluster_id = cluster_id_;
  header.sender = sender_;
  header.epoch = epoch_;
  header.counter = ++counter_;

  datagram->resize(kHeaderBytes + plaintext.size() + kTagBytes);
  std::span<uint8_t, kHeaderBytes> head(datagram->data(), kHeaderBytes);
  EncodeHeader(header, head);
  cached.aead->Seal(header.counter, head, plaintext, datagram->data() + kHeaderBytes);
  return Status::Ok();
}

Opener::Opener(const Keyring* keyring, uint64_t cluster_id, size_t datagram_bytes_max)
    : keyring_(keyring), cluster_id_(cluster_id), datagram_bytes_max_(datagram_bytes_max) {
  PIFLEET_ASSERT(keyring != nullptr);
  PIFLEET_ASSERT(datagram_bytes_max >= kDatagramBytesMin &&
                 datagram_bytes_max <= kDatagramBytesMax);
}

DropReason Opener::Open(std::span<const uint8_t> datagram, Opened* out) {
  const DropReason reason = OpenUncounted(datagram, out);
  ++counters_[static_cast<size_t>(reason)];
  return reason;
}

DropReason Opener::OpenUncounted(std::span<const uint8_t> datagram, Opened* out) {
  if (datagram.size() > datagram_bytes_max_) return DropReason::kOversize;
  Header header;
  if (DropReason reason = DecodeHeader(datagram, &header); reason != DropReason::kNone) {
    return reason;
  }
  if (datagram.size() < kSealOverheadBytes) return DropReason::kTruncated;
  if (header.cluster_id != cluster_id_) return DropReason::kWrongCluster;
  const KeyBytes* key = keyring_->Find(header.key_id);
  if (key == nullptr) return DropReason::kUnknownKey;

  AeadKey& subkey = SubkeyFor(header.key_id, *key, header.sender, header.epoch);
  out->plaintext.resize(datagram.size() - kSealOverheadBytes);
  if (!subkey.Open(header.counter, datagram.first(kHeaderBytes), datagram.subspan(kHeaderBytes),
                   out->plaintext.data())) {
    return DropReason::kAuthFailed;
  }

  // Authenticated: only now may the datagram move this sender's replay state.
  Peer& peer = PeerFor(header.sender);
  if (header.epoch < peer.epoch) return DropReason::kOldEpoch;
  if (header.epoch > peer.epoch) {
    peer.epoch = header.epoch;
    peer.window = ReplayWindow();
  }
  if (!peer.window.Check(header.counter)) return DropReason::kReplay;
  peer.window.Accept(header.counter);
  peer.last_heard = ++heard_sequence_;

  out->key_id = header.key_id;
  out->sender = header.sender;
  out->epoch = header.epoch;
  out->counter = header.counter;
  return DropReason::kNone;
}

AeadKey& Opener::SubkeyFor(uint8_t key_id, const KeyBytes& key, uint64_t sender, uint32_t epoch) {
  const SubkeyId id{key_id, sender, epoch};
  if (auto it = subkeys_.find(id); it != subkeys_.end()) {
    if (it->second.key == key) return *it->second.aead;
    it->second = {key,
                  std::make_unique<AeadKey>(DeriveSubkey(key, key_id, cluster_id_, sender, epoch))};
    return *it->second.aead;
  }
  if (subkeys_.size() >= kSubkeyCacheMax) {
    subkeys_.erase(subkey_order_.front());
    subkey_order_.pop_front();
  }
  subkey_order_.push_back(id);
  auto [it, inserted] =
      subkeys_.emplace(id, CachedSubkey{key, std::make_unique<AeadKey>(DeriveSubkey(
                                                 key, key_id, cluster_id_, sender, epoch))});
  PIFLEET_ASSERT(inserted);
  return *it->second.aead;
}

Opener::Peer& Opener::PeerFor(uint64_t sender) {
  if (auto it = peers_.find(sender); it != peers_.end()) return it->second;
  if (peers_.size() >= kPeersMax) {
    // Forget the sender heard from least recently. Its old datagrams could then pass the
    // replay filter once more; the layers above tolerate duplicates (Paxos messages are
    // idempotent and client requests carry (client id, sequence)).
    auto oldest = std::min_element(peers_.begin(), peers_.end(), [](const auto& a, const auto& b) {
      return a.second.last_heard < b.second.last_heard;
    });
    peers_.erase(oldest);
  }
  return peers_[sender];
}

}  // namespace pifleet::wire
