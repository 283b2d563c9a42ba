#include "agent/wire/beacon.h"

#include <gtest/gtest.h>

#include "agent/wire/fragments.h"
#include "agent/wire/seal.h"
#include "tests/unit/wire/test_keys.h"

namespace pifleet::wire {
namespace {

constexpr uint64_t kCluster = 0xbeac;

std::vector<uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

// A beacon as an agent sends it: encoded, framed as one whole message, sealed.
std::vector<uint8_t> SealedBeacon(const Keyring& ring, uint64_t cluster, const Beacon& beacon) {
  const std::vector<uint8_t> body = Bytes(EncodeBeacon(beacon));
  std::vector<std::vector<uint8_t>> plaintexts;
  EXPECT_TRUE(Fragment(body, 1, kDatagramBytesDefault - kSealOverheadBytes, &plaintexts).ok());
  EXPECT_EQ(plaintexts.size(), 1u);
  Sealer sealer(&ring, cluster, beacon.node_id, /*epoch=*/1);
  std::vector<uint8_t> datagram;
  EXPECT_TRUE(sealer.Seal(plaintexts[0], &datagram).ok());
  return datagram;
}

TEST(Beacon, EncodesAsTypeSeventyAndRoundTrips) {
  const Beacon beacon{0x1122334455667788, 7101};
  const std::string bytes = EncodeBeacon(beacon);
  EXPECT_EQ(static_cast<uint8_t>(bytes[1]), kBeaconType);  // [70, ...]: fixarray, then 70
  Beacon decoded;
  ASSERT_TRUE(DecodeBeacon(Bytes(bytes), &decoded));
  EXPECT_EQ(decoded, beacon);
}

TEST(Beacon, RefusesEverythingElse) {
  Beacon out;
  EXPECT_FALSE(DecodeBeacon({}, &out));
  EXPECT_FALSE(DecodeBeacon(Bytes(EncodeBeacon({1, 7101}) + "x"), &out));  // trailing byte
  EXPECT_FALSE(DecodeBeacon(Bytes(EncodeBeacon({0, 7101})), &out));        // no node
  EXPECT_FALSE(DecodeBeacon(Bytes(EncodeBeacon({1, 0})), &out));           // no port
  EXPECT_FALSE(DecodeBeacon(Bytes("\x93\x41\x01\x02"), &out));             // type 65
  EXPECT_FALSE(DecodeBeacon(Bytes("\x92\x46\x01"), &out));                 // two fields
  EXPECT_FALSE(DecodeBeacon(Bytes("\x93\x46\xa1x\x02"), &out));            // a string node
  EXPECT_FALSE(DecodeBeacon(Bytes("\x93\x46\x01\xcd\xff"), &out));         // truncated
  EXPECT_FALSE(DecodeBeacon(std::vector<uint8_t>(64, 0x90), &out));        // oversize
}

TEST(Beacon, SealedWithTheClusterKeyOpensAndDecodes) {
  Keyring ring;
  ASSERT_TRUE(ring.Install(TestKey(1)).ok());
  const std::vector<uint8_t> datagram = SealedBeacon(ring, kCluster, {42, 7101});
  Opener opener(&ring, kCluster, kDatagramBytesMax);
  Opened opened;
  ASSERT_EQ(opener.Open(datagram, &opened), DropReason::kNone);
  Reassembler reassembler;
  std::vector<uint8_t> message;
  DropReason reason = DropReason::kNone;
  ASSERT_EQ(reassembler.Add(opened.sender, opened.plaintext, 0, &message, &reason),
            Reassembler::Result::kComplete);
  Beacon beacon;
  ASSERT_TRUE(DecodeBeacon(message, &beacon));
  EXPECT_EQ(beacon, (Beacon{42, 7101}));
  EXPECT_EQ(opened.sender, 42u);
}

TEST(Beacon, ANodeOfAnotherKeyOrClusterIsIgnoredAndCounted) {
  const auto [ours, theirs] = TwoTestKeys();
  Keyring our_ring;
  ASSERT_TRUE(our_ring.Install(ours).ok());
  Keyring their_ring;
  ASSERT_TRUE(their_ring.Install(theirs).ok());
  Opener opener(&our_ring, kCluster, kDatagramBytesMax);
  Opened opened;
  EXPECT_EQ(opener.Open(SealedBeacon(their_ring, kCluster, {7, 7101}), &opened),
            DropReason::kUnknownKey);
  // The same key id with other key bytes fails authentication.
  KeyBytes forged = ours;
  Keyring forged_ring;
  forged[0] ^= 1;
  ASSERT_TRUE(forged_ring.Install(forged).ok());
  std::vector<uint8_t> datagram = SealedBeacon(forged_ring, kCluster, {8, 7101});
  datagram[3] = KeyId(ours);  // claim our key id
  EXPECT_EQ(opener.Open(datagram, &opened), DropReason::kAuthFailed);
  EXPECT_EQ(opener.Open(SealedBeacon(our_ring, kCluster + 1, {9, 7101}), &opened),
            DropReason::kWrongCluster);
  EXPECT_EQ(opener.counters()[static_cast<size_t>(DropReason::kUnknownKey)], 1u);
  EXPECT_EQ(opener.counters()[static_cast<size_t>(DropReason::kAuthFailed)], 1u);
  EXPECT_EQ(opener.counters()[static_cast<size_t>(DropReason::kWrongCluster)], 1u);
  EXPECT_EQ(opener.counters()[static_cast<size_t>(DropReason::kNone)], 0u);
}

}  // namespace
}  // namespace pifleet::wire
