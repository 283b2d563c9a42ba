#include "agent/wire/codec.h"

#include <gtest/gtest.h>

#include <random>

namespace pifleet::wire {
namespace {

core::Command SampleCommand(uint64_t n) {
  core::Command command;
  command.client_id = 0xfeedface00000000 + n;
  command.sequence = n;
  command.payload = std::string("put k") + std::to_string(n) + std::string(1, '\0') + "v";
  return command;
}

core::Value SampleValue() {
  core::Value value;
  value.commands = {SampleCommand(1), SampleCommand(2)};
  core::Command reconfig;
  reconfig.client_id = 9;
  reconfig.sequence = 1;
  reconfig.kind = core::CommandKind::kReconfig;
  reconfig.replaces = 5;
  reconfig.config.voters = {1, 2, 3};
  reconfig.config.learners = {7};
  value.commands.push_back(reconfig);
  return value;
}

std::vector<core::Message> EveryPeerMessage() {
  const core::Ballot ballot{12, 3};
  const core::Ballot higher{13, 1};
  return {
      core::Prepare{ballot, 40},
      core::Promise{ballot, higher, {core::PValue{ballot, 41, SampleValue()}, {ballot, 42, {}}}},
      core::Accept{ballot, 43, SampleValue()},
      core::Accepted{ballot, 43, higher},
      core::Decision{44, SampleValue()},
      core::Active{ballot, 44},
      core::Request{{SampleCommand(5)}},
      core::CatchupRequest{30},
      core::CatchupReply{{core::Decision{30, {}}, core::Decision{31, SampleValue()}}, 44},
      core::SnapshotOffer{640, 5000, 0x1234567890abcdefULL},
      core::SnapshotChunkRequest{640, 4},
      core::SnapshotChunk{640, 4, std::string(1024, '\x7f')},
      core::LeaseGrant{ballot, 77},
  };
}

bool SameEnvelope(const core::Envelope& a, const core::Envelope& b) {
  if (a.from != b.from || a.to != b.to || a.message.index() != b.message.index()) return false;
  // Re-encoding is canonical, so equal bytes mean equal messages.
  return Encode(WireMessage{a}) == Encode(WireMessage{b});
}

TEST(Codec, EveryPeerMessageRoundTrips) {
  const auto messages = EveryPeerMessage();
  ASSERT_EQ(messages.size(), std::variant_size_v<core::Message>);
  for (const core::Message& message : messages) {
    const core::Envelope envelope{2, 3, message};
    const std::string bytes = Encode(WireMessage{envelope});
    WireMessage decoded;
    ASSERT_EQ(
        Decode(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), &decoded),
        DropReason::kNone)
        << core::MessageName(message);
    ASSERT_TRUE(std::holds_alternative<core::Envelope>(decoded));
    EXPECT_TRUE(SameEnvelope(std::get<core::Envelope>(decoded), envelope));
  }
  // Spot-check field values, not just bytes.
  const core::Envelope accept{1, 2, core::Accept{{5, 1}, 77, SampleValue()}};
  const std::string bytes = Encode(WireMessage{accept});
  WireMessage decoded;
  ASSERT_EQ(
      Decode(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), &decoded),
      DropReason::kNone);
  const auto& got = std::get<core::Accept>(std::get<core::Envelope>(decoded).message);
  EXPECT_EQ(got.slot, 77u);
  EXPECT_EQ(got.value, SampleValue());
}

TEST(Codec, AnActiveCarriesItsLeaseStampOnlyWhenItHasOne) {
  const core::Ballot ballot{12, 3};
  const std::string plain = Encode(WireMessage{core::Envelope{2, 3, core::Active{ballot, 44, 0}}});
  const std::string stamped =
      Encode(WireMessage{core::Envelope{2, 3, core::Active{ballot, 44, 901}}});
  EXPECT_EQ(plain[0], '\x95') << "an unstamped beat keeps its two fields";
  EXPECT_EQ(stamped[0], '\x96');
  WireMessage decoded;
  ASSERT_EQ(
      Decode(std::span(reinterpret_cast<const uint8_t*>(stamped.data()), stamped.size()), &decoded),
      DropReason::kNone);
  const auto& got = std::get<core::Active>(std::get<core::Envelope>(decoded).message);
  EXPECT_EQ(got.lease_stamp, 901u);
  EXPECT_EQ(got.applied_slot, 44u);
  for (size_t length = 0; length < stamped.size(); ++length) {
    EXPECT_NE(Decode(std::span(reinterpret_cast<const uint8_t*>(stamped.data()), length), &decoded),
              DropReason::kNone)
        << "cut at " << length;
  }
}

TEST(Codec, ClientMessagesRoundTrip) {
  const ClientRequest request{0xabc, 7, ClientOp::kKv, std::string("\x01k\x00v", 4), 42};
  const ClientReply reply{0xabc, 7, ReplyCode::kNoQuorum, "", "no quorum after 5000 ms"};
  for (const WireMessage& message : {WireMessage{request}, WireMessage{reply}}) {
    const std::string bytes = Encode(message);
    WireMessage decoded;
    ASSERT_EQ(
        Decode(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), &decoded),
        DropReason::kNone);
    EXPECT_EQ(Encode(decoded), bytes);
    if (const auto* got = std::get_if<ClientRequest>(&decoded)) {
      EXPECT_EQ(*got, request);
    }
  }
}

DropReason DecodeBytes(const std::string& bytes) {
  WireMessage decoded;
  return Decode(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), &decoded);
}

TEST(Codec, EveryTruncationIsMalformed) {
  for (const core::Message& message : EveryPeerMessage()) {
    const std::string bytes = Encode(WireMessage{core::Envelope{2, 3, message}});
    for (size_t length = 0; length < bytes.size(); ++length) {
      EXPECT_EQ(DecodeBytes(bytes.substr(0, length)), DropReason::kMalformed)
          << core::MessageName(message) << " cut at " << length;
    }
    EXPECT_EQ(DecodeBytes(bytes + '\0'), DropReason::kMalformed) << "trailing byte";
  }
}

TEST(Codec, WrongShapesAreMalformedAndUnknownTypesAreCountedApart) {
  EXPECT_EQ(DecodeBytes("\xc0"), DropReason::kMalformed);                // nil, not an array
  EXPECT_EQ(DecodeBytes("\x90"), DropReason::kMalformed);                // empty array
  EXPECT_EQ(DecodeBytes("\x93\x63\x01\x02"), DropReason::kUnknownType);  // type 99
  EXPECT_EQ(DecodeBytes("\x93\x08\x01\x02"), DropReason::kMalformed);    // catchup, field missing
  EXPECT_EQ(DecodeBytes("\x94\x08\x01\x02\xa1x"), DropReason::kMalformed);  // string for slot
  EXPECT_EQ(DecodeBytes("\x94\x08\xff\x02\x05"), DropReason::kMalformed);   // negative sender
  // Client request with an operation this build does not know.
  // [64, client id, session, sequence, op 0x63, payload]
  EXPECT_EQ(DecodeBytes(std::string("\x96\x40\x01\x00\x01\x63\xc4\x00", 8)),
            DropReason::kUnknownType);
}

TEST(Codec, HugeClaimsAreRefusedBeforeAnyAllocation) {
  // array32 claiming 4 billion elements, then nothing.
  EXPECT_EQ(DecodeBytes(std::string("\xdd\xff\xff\xff\xff", 5)), DropReason::kMalformed);
  // Nested array16s, each claiming 65535 elements, in 3 bytes apiece.
  std::string nested;
  for (int i = 0; i < 1000; ++i) nested += std::string("\xdc\xff\xff", 3);
  EXPECT_EQ(DecodeBytes(nested), DropReason::kMalformed);
  // bin32 claiming 4 GB.
  EXPECT_EQ(DecodeBytes(std::string("\x96\x40\x01\x00\x01\x01\xc6\xff\xff\xff\xff", 11)),
            DropReason::kMalformed);
}

TEST(Codec, RandomBytesNeverCrash) {
  std::mt19937_64 rng(1);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (i % 2 == 0 && !bytes.empty()) bytes[0] = static_cast<char>(0x90 | (rng() % 8));
    accepted += DecodeBytes(bytes) == DropReason::kNone;
  }
  EXPECT_LT(accepted, 200);  // almost nothing random is a valid message
}

}  // namespace
}  // namespace pifleet::wire
