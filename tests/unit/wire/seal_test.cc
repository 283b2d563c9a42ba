#include "agent/wire/seal.h"

#include <gtest/gtest.h>

#include <string>

#include "agent/wire/header.h"
#include "tests/unit/wire/test_keys.h"

namespace pifleet::wire {
namespace {

constexpr uint64_t kCluster = 0xc1u;

std::vector<uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

struct Node {
  Keyring ring;
  explicit Node(const KeyBytes& key) { EXPECT_TRUE(ring.Install(key).ok()); }
};

TEST(Seal, RoundTripAndDropCounters) {
  Node a(TestKey(1));
  Node b(TestKey(1));
  Sealer sealer(&a.ring, kCluster, /*sender=*/7, /*epoch=*/3);
  Opener opener(&b.ring, kCluster, kDatagramBytesDefault);
  std::vector<uint8_t> datagram;
  ASSERT_TRUE(sealer.Seal(Bytes("prepare 1.7"), &datagram).ok());
  EXPECT_EQ(datagram.size(), kSealOverheadBytes + 11);
  Opened opened;
  ASSERT_EQ(opener.Open(datagram, &opened), DropReason::kNone);
  EXPECT_EQ(opened.plaintext, Bytes("prepare 1.7"));
  EXPECT_EQ(opened.sender, 7u);
  EXPECT_EQ(opened.epoch, 3u);
  EXPECT_EQ(opened.counter, 1u);
  EXPECT_EQ(opener.counters()[static_cast<size_t>(DropReason::kNone)], 1u);
  // The ciphertext does not carry the plaintext in the clear.
  const std::string wire(datagram.begin(), datagram.end());
  EXPECT_EQ(wire.find("prepare"), std::string::npos);
}

TEST(Seal, TwoSendersWithEqualCountersNeverShareKeyAndNonce) {
  const KeyBytes cluster_key = TestKey(1);
  // Same counter -> same nonce; the subkeys must differ by sender and by epoch.
  const KeyBytes s1 = DeriveSubkey(cluster_key, KeyId(cluster_key), kCluster, 1, 1);
  const KeyBytes s2 = DeriveSubkey(cluster_key, KeyId(cluster_key), kCluster, 2, 1);
  const KeyBytes s1_next_epoch = DeriveSubkey(cluster_key, KeyId(cluster_key), kCluster, 1, 2);
  const KeyBytes s1_other_cluster =
      DeriveSubkey(cluster_key, KeyId(cluster_key), kCluster + 1, 1, 1);
  EXPECT_NE(s1, s2);
  EXPECT_NE(s1, s1_next_epoch);
  EXPECT_NE(s1, s1_other_cluster);
  EXPECT_EQ(s1, DeriveSubkey(cluster_key, KeyId(cluster_key), kCluster, 1, 1));  // deterministic

  Node node(cluster_key);
  Sealer one(&node.ring, kCluster, 1, 1);
  Sealer two(&node.ring, kCluster, 2, 1);
  std::vector<uint8_t> d1, d2;
  ASSERT_TRUE(one.Seal(Bytes("same plaintext"), &d1).ok());
  ASSERT_TRUE(two.Seal(Bytes("same plaintext"), &d2).ok());
  EXPECT_EQ(one.counter(), two.counter());
  // Equal nonce (counter), different key: the ciphertexts differ everywhere past the header.
  EXPECT_FALSE(std::equal(d1.begin() + kHeaderBytes, d1.end(), d2.begin() + kHeaderBytes));
}

TEST(Seal, EveryBadDatagramIsDroppedWithItsReason) {
  const auto [key, other_key] = TwoTestKeys();
  Node a(key);
  Node b(key);
  Node stranger(other_key);
  Sealer sealer(&a.ring, kCluster, 7, 3);
  Opener opener(&b.ring, kCluster, kDatagramBytesDefault);
  std::vector<uint8_t> good;
  ASSERT_TRUE(sealer.Seal(Bytes("hello"), &good).ok());
  Opened opened;

  std::vector<uint8_t> tampered = good;
  tampered.back() ^= 1;
  EXPECT_EQ(opener.Open(tampered, &opened), DropReason::kAuthFailed);
  EXPECT_TRUE(std::all_of(opened.plaintext.begin(), opened.plaintext.end(),
                          [](uint8_t byte) { return byte == 0; }));  // nothing unauthenticated
  std::vector<uint8_t> header_flip = good;
  header_flip[kHeaderBytes - 1] ^= 0x80;  // counter is associated data
  EXPECT_EQ(opener.Open(header_flip, &opened), DropReason::kAuthFailed);
  std::vector<uint8_t> sender_flip = good;
  sender_flip[12] ^= 1;  // another sender's subkey
  EXPECT_EQ(opener.Open(sender_flip, &opened), DropReason::kAuthFailed);

  Sealer foreign(&stranger.ring, kCluster, 7, 3);
  std::vector<uint8_t> wrong_key;
  ASSERT_TRUE(foreign.Seal(Bytes("hello"), &wrong_key).ok());
  EXPECT_EQ(opener.Open(wrong_key, &opened), DropReason::kUnknownKey);
  wrong_key[3] = KeyId(key);  // claim our key id: the tag still fails
  EXPECT_EQ(opener.Open(wrong_key, &opened), DropReason::kAuthFailed);

  Sealer other_cluster(&a.ring, kCluster + 1, 7, 3);
  std::vector<uint8_t> foreign_cluster;
  ASSERT_TRUE(other_cluster.Seal(Bytes("hello"), &foreign_cluster).ok());
  EXPECT_EQ(opener.Open(foreign_cluster, &opened), DropReason::kWrongCluster);

  for (size_t length = 0; length < good.size(); ++length) {
    const DropReason reason = opener.Open(std::span(good).first(length), &opened);
    EXPECT_TRUE(reason == DropReason::kTruncated || reason == DropReason::kAuthFailed) << length;
  }
  std::vector<uint8_t> huge(kDatagramBytesDefault + 1, 0);
  EXPECT_EQ(opener.Open(huge, &opened), DropReason::kOversize);

  ASSERT_EQ(opener.Open(good, &opened), DropReason::kNone);  // still fine after all that
  EXPECT_EQ(opener.Open(good, &opened), DropReason::kReplay);
  const auto& counters = opener.counters();
  EXPECT_EQ(counters[static_cast<size_t>(DropReason::kNone)], 1u);
  EXPECT_EQ(counters[static_cast<size_t>(DropReason::kReplay)], 1u);
  EXPECT_EQ(counters[static_cast<size_t>(DropReason::kUnknownKey)], 1u);
  EXPECT_EQ(counters[static_cast<size_t>(DropReason::kWrongCluster)], 1u);
  EXPECT_EQ(counters[static_cast<size_t>(DropReason::kOversize)], 1u);
}

TEST(Seal, OlderEpochIsRejectedAfterANewerOneWasHeard) {
  Node a(TestKey(1));
  Node b(TestKey(1));
  Opener opener(&b.ring, kCluster, kDatagramBytesDefault);
  Sealer before_restart(&a.ring, kCluster, 7, 4);
  Sealer after_restart(&a.ring, kCluster, 7, 5);
  std::vector<uint8_t> old_datagram, new_datagram;
  ASSERT_TRUE(before_restart.Seal(Bytes("old"), &old_datagram).ok());
  ASSERT_TRUE(after_restart.Seal(Bytes("new"), &new_datagram).ok());
  Opened opened;
  ASSERT_EQ(opener.Open(new_datagram, &opened), DropReason::kNone);
  // Same counter (1) under the old epoch: a replay from before the restart.
  EXPECT_EQ(opener.Open(old_datagram, &opened), DropReason::kOldEpoch);
}

TEST(Seal, ReorderedDatagramsInsideTheWindowAreAcceptedOnce) {
  Node a(TestKey(1));
  Node b(TestKey(1));
  Sealer sealer(&a.ring, kCluster, 7, 1);
  Opener opener(&b.ring, kCluster, kDatagramBytesDefault);
  std::vector<std::vector<uint8_t>> datagrams(50);
  for (auto& datagram : datagrams) ASSERT_TRUE(sealer.Seal(Bytes("x"), &datagram).ok());
  Opened opened;
  for (size_t i = datagrams.size(); i-- > 0;) {
    ASSERT_EQ(opener.Open(datagrams[i], &opened), DropReason::kNone) << i;
  }
  for (const auto& datagram : datagrams) {
    EXPECT_EQ(opener.Open(datagram, &opened), DropReason::kReplay);
  }
}

TEST(Seal, KeyRotationWithoutDowntime) {
  const auto [old_key, new_key] = TwoTestKeys();
  Node a(old_key);
  Node b(old_key);
  Sealer sealer(&a.ring, kCluster, 7, 1);
  Opener opener(&b.ring, kCluster, kDatagramBytesDefault);
  std::vector<uint8_t> datagram;
  Opened opened;

  // 1. install the new key everywhere; senders still use the old one.
  ASSERT_TRUE(a.ring.Install(new_key).ok());
  ASSERT_TRUE(b.ring.Install(new_key).ok());
  ASSERT_TRUE(sealer.Seal(Bytes("1"), &datagram).ok());
  EXPECT_EQ(opener.Open(datagram, &opened), DropReason::kNone);
  // 2. switch the sender; the receiver opens both.
  ASSERT_TRUE(a.ring.Use(KeyId(new_key)).ok());
  ASSERT_TRUE(sealer.Seal(Bytes("2"), &datagram).ok());
  EXPECT_EQ(datagram[3], KeyId(new_key));
  EXPECT_EQ(opener.Open(datagram, &opened), DropReason::kNone);
  // 3. remove the old key: a late old-key datagram is refused by id.
  Sealer late(&b.ring, kCluster, 8, 1);
  ASSERT_TRUE(late.Seal(Bytes("3"), &datagram).ok());
  ASSERT_TRUE(b.ring.Use(KeyId(new_key)).ok());
  ASSERT_TRUE(b.ring.Remove(KeyId(old_key)).ok());
  EXPECT_EQ(opener.Open(datagram, &opened), DropReason::kUnknownKey);
}

TEST(Seal, AnswerInTheKeyTheClientAskedWith) {
  const auto [old_key, new_key] = TwoTestKeys();
  Node agent(old_key);
  ASSERT_TRUE(agent.ring.Install(new_key).ok());
  ASSERT_TRUE(agent.ring.Use(KeyId(new_key)).ok());
  Node client(old_key);  // has not been given the new key yet
  Sealer sealer(&agent.ring, kCluster, 7, 1);
  Opener opener(&client.ring, kCluster, kDatagramBytesDefault);
  std::vector<uint8_t> datagram;
  Opened opened;
  ASSERT_TRUE(sealer.Seal(Bytes("primary"), &datagram).ok());
  EXPECT_EQ(opener.Open(datagram, &opened), DropReason::kUnknownKey);
  ASSERT_TRUE(sealer.SealWith(KeyId(old_key), Bytes("reply"), &datagram).ok());
  ASSERT_EQ(opener.Open(datagram, &opened), DropReason::kNone);
  EXPECT_EQ(opened.key_id, KeyId(old_key));
  EXPECT_EQ(opened.plaintext, Bytes("reply"));
  // Counters are shared across keys: the next datagram under the primary carries 3.
  ASSERT_TRUE(sealer.Seal(Bytes("next"), &datagram).ok());
  EXPECT_EQ(sealer.counter(), 3u);
  ASSERT_TRUE(agent.ring.Remove(KeyId(old_key)).ok());
  EXPECT_EQ(sealer.SealWith(KeyId(old_key), Bytes("x"), &datagram).code(), Status::Code::kNotFound);
}

TEST(Seal, FailsClearlyWithoutAKey) {
  Keyring empty;
  Sealer sealer(&empty, kCluster, 1, 1);
  std::vector<uint8_t> datagram;
  EXPECT_NE(sealer.Seal(Bytes("x"), &datagram).message().find("no cluster key"), std::string::npos);
}

TEST(Seal, ForgedSendersCannotGrowState) {
  Node b(TestKey(1));
  Opener opener(&b.ring, kCluster, kDatagramBytesDefault);
  Node a(TestKey(1));
  Sealer sealer(&a.ring, kCluster, 1, 1);
  std::vector<uint8_t> datagram;
  ASSERT_TRUE(sealer.Seal(Bytes("x"), &datagram).ok());
  Opened opened;
  // 10,000 forged senders: every one fails authentication and none is remembered.
  for (uint64_t sender = 2; sender < 10002; ++sender) {
    for (int i = 0; i < 8; ++i) datagram[12 + i] = static_cast<uint8_t>(sender >> (8 * i));
    ASSERT_EQ(opener.Open(datagram, &opened), DropReason::kAuthFailed);
  }
  EXPECT_EQ(opener.counters()[static_cast<size_t>(DropReason::kAuthFailed)], 10000u);
}

}  // namespace
}  // namespace pifleet::wire
