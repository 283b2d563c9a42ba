// The clear-text header of every sealed datagram; all of it is AEAD associated data.
#pragma once

#include <cstdint>
#include <span>

#include "agent/wire/drop_reason.h"
#include "agent/wire/limits.h"

namespace pifleet::wire {

struct Header {
  uint8_t version = kWireVersion;
  uint8_t key_id = 0;
  uint64_t cluster_id = 0;
  uint64_t sender = 0;
  uint32_t epoch = 0;
  uint64_t counter = 0;
};

// Writes exactly kHeaderBytes (little-endian integers after the magic "PF").
void EncodeHeader(const Header& header, std::span<uint8_t, kHeaderBytes> out);

// Parses the first kHeaderBytes; kTruncated, kBadMagic or kBadVersion on failure.
DropReason DecodeHeader(std::span<const uint8_t> datagram, Header* out);

}  // namespace pifleet::wire
