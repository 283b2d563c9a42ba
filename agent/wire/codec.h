// msgpack bodies of every message (DESIGN §4): one array per message, its first element the
// type. Decoding is bounded before msgpack-c builds anything: a first pass (a null visitor)
// refuses any input whose containers claim more elements than the input has bytes, so a
// 90 KB message can never make the decoder reserve more than a few MB.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "agent/core/message.h"
#include "agent/wire/client_messages.h"
#include "agent/wire/drop_reason.h"

namespace pifleet::wire {

using WireMessage = std::variant<core::Envelope, ClientRequest, ClientReply>;

// Appends nothing on failure; encoding never fails for well-formed values.
std::string Encode(const WireMessage& message);

// kNone and *out on success; kMalformed (bad msgpack, wrong shape, trailing bytes) or
// kUnknownType (well-formed, type this build does not know) otherwise.
DropReason Decode(std::span<const uint8_t> bytes, WireMessage* out);

// Type byte of each message on the wire (stable: never renumber, only add).
enum class WireType : uint8_t {
  kPrepare = 1,
  kPromise = 2,
  kAccept = 3,
  kAccepted = 4,
  kDecision = 5,
  kActive = 6,
  kRequest = 7,
  kCatchupRequest = 8,
  kCatchupReply = 9,
  kSnapshotOffer = 10,
  kSnapshotChunkRequest = 11,
  kSnapshotChunk = 12,
  kLeaseGrant = 13,
  kClientRequest = 64,
  kClientReply = 65,
  kBeacon = 70,  // LAN discovery (agent/wire/beacon.h); not a WireMessage, decoded on its own
};

}  // namespace pifleet::wire
