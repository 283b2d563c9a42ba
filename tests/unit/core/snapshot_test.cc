// Snapshots in the core: the blob format, compaction of decided and accepted state, offers in
// place of answers below a snapshot, the chunked pull that brings a lagging node to the same
// state, and a restart from snapshot + logged decisions.
#include <gtest/gtest.h>

#include "agent/base/fast_hash.h"
#include "agent/base/hash.h"
#include "agent/core/snapshot.h"
#include "agent/core/snapshot_pull.h"
#include "tests/unit/core/harness.h"

namespace pifleet::core::testing {
namespace {

const Config kConfig = MakeConfig({1, 2, 3}, {4});

SnapshotMeta SampleMeta() {
  return SnapshotMeta{77, {{70, MakeConfig({1, 2, 3}, {4})}, {80, MakeConfig({1, 2, 4}, {3})}}};
}

TEST(SnapshotBlob, RoundTripsAndRefusesEveryTruncationAndBadCount) {
  const std::string app(3000, 'a');
  const std::string blob = EncodeSnapshot(SampleMeta(), app);
  SnapshotMeta meta;
  std::string decoded;
  ASSERT_TRUE(DecodeSnapshot(blob, &meta, &decoded));
  EXPECT_EQ(meta, SampleMeta());
  EXPECT_EQ(decoded, app);
  for (size_t n = 0; n < blob.size(); ++n) {
    EXPECT_FALSE(DecodeSnapshot(std::string_view(blob).substr(0, n), &meta, &decoded)) << n;
  }
  std::string huge_count = blob;
  huge_count[13] = '\xff';  // config count, low byte
  huge_count[16] = '\x7f';
  EXPECT_FALSE(DecodeSnapshot(huge_count, &meta, &decoded));
  EXPECT_NE(SnapshotHash(blob), SnapshotHash(huge_count));
}

// Built in place, the blob is EncodeSnapshot's, and a reused buffer keeps its memory.
TEST(SnapshotBlob, BuiltInPlaceEqualsEncodedAndReusesTheBuffer) {
  const std::string app(5000, 'q');
  std::string blob = "leftovers of an older snapshot";
  size_t header_bytes = BeginSnapshotBlob(SampleMeta(), &blob);
  blob.append(app);
  EndSnapshotBlob(header_bytes, &blob);
  EXPECT_EQ(blob, EncodeSnapshot(SampleMeta(), app));
  const char* memory = blob.data();
  header_bytes = BeginSnapshotBlob(SnapshotMeta{78, SampleMeta().configs}, &blob);
  blob.append(app.substr(0, 100));
  EndSnapshotBlob(header_bytes, &blob);
  EXPECT_EQ(blob, EncodeSnapshot(SnapshotMeta{78, SampleMeta().configs}, app.substr(0, 100)));
  EXPECT_EQ(blob.data(), memory);
}

// Version 2 differs from version 1 only in its hash: a version 1 blob (an older build's file,
// marker or offer) still decodes and keeps the FNV-1a hash its marker names.
TEST(SnapshotBlob, ReadsVersionOneAndHashesEachVersionAsItsMarkersDo) {
  const std::string app(3000, 'a');
  const std::string blob = EncodeSnapshot(SampleMeta(), app);
  ASSERT_EQ(blob[4], '\x02');
  std::string old_blob = blob;
  old_blob[4] = '\x01';
  SnapshotMeta meta;
  std::string decoded;
  ASSERT_TRUE(DecodeSnapshot(old_blob, &meta, &decoded));
  EXPECT_EQ(meta, SampleMeta());
  EXPECT_EQ(decoded, app);
  std::string future_blob = blob;
  future_blob[4] = '\x03';
  EXPECT_FALSE(DecodeSnapshot(future_blob, &meta, &decoded));

  EXPECT_EQ(SnapshotHash(old_blob), Fnv1a64(old_blob));
  EXPECT_EQ(SnapshotHash(blob), Xxh3Hash64(blob));
  EXPECT_NE(SnapshotHash(blob), Fnv1a64(blob));
  EXPECT_EQ(SnapshotHash("PFCS"), Xxh3Hash64("PFCS")) << "no version byte";
  EXPECT_EQ(SnapshotHash("PFCT\x01"), Xxh3Hash64("PFCT\x01")) << "no snapshot's magic";
}

TEST(FastHash, MatchesXxh3ReferenceVectors) {
  EXPECT_EQ(Xxh3Hash64(""), 0x2d06800538d394c2u);  // XXH3_64bits of the empty input, seed 0
  // Inputs of each length class (0-16, 17-128, 129-240, longer: the SIMD loop) differ in one
  // byte from each other and hash apart.
  for (size_t size : {1u, 16u, 17u, 128u, 129u, 240u, 241u, 1024u, 100000u}) {
    std::string bytes(size, 'x');
    const uint64_t hash = Xxh3Hash64(bytes);
    bytes[size / 2] = 'y';
    EXPECT_NE(Xxh3Hash64(bytes), hash) << size;
  }
}

TEST(SnapshotPull, AssemblesChunksArrivingOutOfOrderAndIgnoresWrongOnes) {
  const std::string blob(3 * kSnapshotChunkBytes + 10, 'z');
  SnapshotPull pull;
  pull.Start(2, SnapshotOffer{9, blob.size(), SnapshotHash(blob)});
  EXPECT_EQ(pull.Requests(false), (std::vector<uint64_t>{0, 1, 2, 3}));
  EXPECT_TRUE(pull.Requests(false).empty()) << "nothing new to ask for";
  auto chunk = [&](uint64_t i) {
    return SnapshotChunk{9, i, blob.substr(i * kSnapshotChunkBytes, kSnapshotChunkBytes)};
  };
  pull.OnChunk(chunk(3));
  pull.OnChunk(SnapshotChunk{9, 1, "short"});
  pull.OnChunk(SnapshotChunk{8, 0, chunk(0).data});  // another snapshot
  pull.OnChunk(chunk(0));
  EXPECT_EQ(pull.Requests(true), (std::vector<uint64_t>{1, 2}));
  pull.OnChunk(chunk(2));
  pull.OnChunk(chunk(1));
  ASSERT_TRUE(pull.complete());
  EXPECT_EQ(pull.TakeBlob(), blob);
  EXPECT_FALSE(pull.active());
}

TEST(SnapshotPull, GivesUpASourceThatMakesNoProgress) {
  SnapshotPull pull;
  pull.Start(2, SnapshotOffer{9, 5000, 1});
  int rounds = 0;
  while (pull.StillHopeful()) ++rounds;
  EXPECT_EQ(rounds, static_cast<int>(kSnapshotPullStallsMax) - 1);
}

// Runs 3 voters with learner 4 cut off, commits `commands`, and snapshots every live node.
Slot CommitAndSnapshot(Network& net, uint64_t commands) {
  net.Isolate(4);
  net.Tick(2 * kElectionTicksMax);
  const NodeId leader = net.Leader();
  EXPECT_NE(leader, 0u);
  for (uint64_t seq = 1; seq <= commands; ++seq) {
    EXPECT_TRUE(net.core(leader).Propose(MakeCommand(7, seq)).ok());
    net.Settle();
  }
  net.Tick(kRequestRetransmitTicks);
  const Slot slot = net.core(leader).AppliedSlot();
  for (NodeId id = 1; id <= 3; ++id) {
    EXPECT_EQ(net.core(id).AppliedSlot(), slot);
    EXPECT_TRUE(net.core(id).TakeSnapshot(slot, "state@" + std::to_string(slot)).ok());
    EXPECT_EQ(net.core(id).DecisionsHeld(), 0u);
    EXPECT_EQ(net.core(id).AcceptedHeld(), 0u);
  }
  net.Settle();
  return slot;
}

TEST(CoreSnapshot, TakeSnapshotRefusesAnythingButTheAppliedSlot) {
  Network net(kConfig);
  const Slot slot = CommitAndSnapshot(net, 5);
  EXPECT_FALSE(net.core(1).TakeSnapshot(slot, "again").ok()) << "not above the last one";
  EXPECT_FALSE(net.core(1).TakeSnapshot(slot + 1, "ahead").ok()) << "not applied yet";
  EXPECT_EQ(net.core(1).SnapshotSlot(), slot);
}

TEST(CoreSnapshot, TakeSnapshotHandsOutTheBlobBeforeItsMarker) {
  Core core(MakeOptions(1, MakeConfig({1})));
  auto deliver_to_self = [&core] {
    for (int i = 0; i < 10; ++i) {
      Output out = Take(core);
      for (const Envelope& e : out.messages) core.Receive(e);
      for (const Envelope& e : out.after_sync) core.Receive(e);
    }
  };
  for (int t = 0; t < 2 * static_cast<int>(kElectionTicksMax) && !core.IsLeader(); ++t) {
    core.Tick();
    deliver_to_self();
  }
  ASSERT_TRUE(core.IsLeader());
  ASSERT_TRUE(core.Propose(MakeCommand(1, 1)).ok());
  deliver_to_self();
  ASSERT_GE(core.AppliedSlot(), 1u);
  ASSERT_TRUE(core.TakeSnapshot(core.AppliedSlot(), "kv").ok());
  Ready ready = core.TakeReady();
  ASSERT_TRUE(ready.snapshot_save.has_value());
  ASSERT_EQ(ready.records.size(), 1u);
  const auto& marker = std::get<SnapshotRecord>(ready.records[0]);
  EXPECT_EQ(marker.slot, core.AppliedSlot());
  EXPECT_EQ(marker.hash, SnapshotHash(*ready.snapshot_save->blob));
  EXPECT_TRUE(ready.must_sync);
  core.Advance();
}

TEST(CoreSnapshot, LaggingLearnerPullsTheSnapshotAndContinuesFromTheLog) {
  Network net(kConfig);
  const Slot slot = CommitAndSnapshot(net, 30);
  ASSERT_TRUE(net.applied(4).empty());
  net.Heal();
  net.Tick(3 * kCatchupTicks);
  ASSERT_EQ(net.installs(4).size(), 1u);
  EXPECT_EQ(net.installs(4)[0].slot, slot);
  EXPECT_EQ(net.installs(4)[0].app_bytes, "state@" + std::to_string(slot));
  EXPECT_EQ(net.core(4).AppliedSlot(), slot);
  EXPECT_EQ(net.core(4).SnapshotSlot(), slot);
  // Then ordinary decisions, from the slot after the snapshot.
  const NodeId leader = net.Leader();
  ASSERT_TRUE(net.core(leader).Propose(MakeCommand(9, 1)).ok());
  net.Tick(kRequestRetransmitTicks);
  ASSERT_FALSE(net.applied(4).empty());
  EXPECT_EQ(net.applied(4).front().slot, slot + 1);
  EXPECT_EQ(net.core(4).AppliedSlot(), net.core(leader).AppliedSlot());
}

TEST(CoreSnapshot, AcceptorBelowItsSnapshotOffersItInsteadOfPromising) {
  Network net(kConfig);
  const Slot slot = CommitAndSnapshot(net, 3);
  net.core(2).Receive(Envelope{4, 2, Prepare{Ballot{99, 4}, slot}});
  Output out = Take(net.core(2));
  EXPECT_TRUE(out.after_sync.empty()) << "no promise";
  EXPECT_TRUE(out.records.empty()) << "the promise was not raised";
  auto offers = OfType<SnapshotOffer>(out.messages);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].second.slot, slot);
  net.core(2).Receive(Envelope{4, 2, Prepare{Ballot{99, 4}, slot + 1}});
  EXPECT_EQ(OfType<Promise>(Take(net.core(2)).after_sync).size(), 1u);
}

TEST(CoreSnapshot, RestartFromSnapshotAndLoggedDecisions) {
  Network net(kConfig);
  const Slot slot = CommitAndSnapshot(net, 4);
  Output none = Take(net.core(1));
  (void)none;
  const NodeId leader = net.Leader();
  ASSERT_TRUE(net.core(leader).Propose(MakeCommand(7, 100)).ok());
  net.Tick(kRequestRetransmitTicks);
  // Rebuild node 1 from what its disk would hold: the snapshot blob, its marker, decisions.
  SnapshotMeta meta{slot, {{1, kConfig}}};
  auto blob = std::make_shared<const std::string>(EncodeSnapshot(meta, "state"));
  DurableState durable;
  durable.Apply(Record(std::in_place_type<SnapshotRecord>, SnapshotRecord{slot, 0}));
  durable.Apply(Record(std::in_place_type<DecisionRecord>, DecisionRecord{slot, Value{}, {}}));
  durable.Apply(Record(std::in_place_type<DecisionRecord>, DecisionRecord{slot + 1, Value{}, {}}));
  EXPECT_EQ(durable.decisions.size(), 1u) << "decisions inside the snapshot are dropped";
  Core restarted(MakeOptions(1, kConfig), durable, blob);
  Output out = Take(restarted);
  ASSERT_EQ(out.installs.size(), 1u);
  EXPECT_EQ(out.installs[0].slot, slot);
  EXPECT_EQ(out.installs[0].app_bytes, "state");
  EXPECT_TRUE(out.saves.empty()) << "it is on disk already";
  ASSERT_EQ(out.committed.size(), 1u);
  EXPECT_EQ(out.committed[0].slot, slot + 1);
  EXPECT_TRUE(out.records.empty()) << "replayed decisions are not logged twice";
  EXPECT_EQ(restarted.AppliedSlot(), slot + 1);
}

}  // namespace
}  // namespace pifleet::core::testing
