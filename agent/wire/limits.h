// Every bound of the sealed wire, in one place (DESIGN §4).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pifleet::wire {

// 2: the state machine's command payloads changed (docs/formats.md, "Command payloads"): a
// node of version 1 would apply the same decided commands differently, so the two never talk.
// 3: a command carries `replaces` (the reconfiguration compare-and-set, core/types.h).
inline constexpr uint8_t kWireVersion = 3;
inline constexpr size_t kKeyBytes = 32;  // ChaCha20-Poly1305 key
inline constexpr size_t kTagBytes = 16;  // Poly1305 tag
inline constexpr size_t kNonceBytes = 12;
// magic "PF" | version u8 | key id u8 | cluster id u64 | sender u64 | epoch u32 | counter u64
inline constexpr size_t kHeaderBytes = 2 + 1 + 1 + 8 + 8 + 4 + 8;
inline constexpr size_t kSealOverheadBytes = kHeaderBytes + kTagBytes;

// Default and largest datagram on the wire; the default keeps clear of a 1500-byte Ethernet MTU
// after IP and UDP headers, so no datagram is ever fragmented by IP.
inline constexpr size_t kDatagramBytesDefault = 1400;
inline constexpr size_t kDatagramBytesMin = 256;
inline constexpr size_t kDatagramBytesMax = 65507;  // largest UDP payload over IPv4

inline constexpr size_t kKeyringKeysMax = 8;
// Replay window per (sender, epoch): counters this far behind the highest seen are still
// accepted once, as WireGuard does; older ones are dropped as replays.
inline constexpr uint64_t kReplayWindowBits = 1024;
// Senders whose replay state is kept; past it the least recently heard sender is forgotten.
inline constexpr size_t kPeersMax = 1024;
// Derived subkeys cached for opening; past it the oldest is dropped and derived again on need.
inline constexpr size_t kSubkeyCacheMax = 256;

// Fragmentation of messages larger than one datagram's plaintext.
inline constexpr size_t kFragmentHeaderBytes = 1 + 4 + 2 + 2;  // kind, message id, index, count
// The largest message (msgpack body) sent or reassembled: a full batch of 64 KiB values with
// its framing fits (agent/core/constants.h). At the default datagram it takes ~100 fragments,
// at the smallest datagram ~620; both are within the fragment count bound.
inline constexpr size_t kMessageBytesMax = size_t{128} * 1024;
inline constexpr uint16_t kFragmentsPerMessageMax = 1024;
inline constexpr size_t kReassembliesMax = 32;            // partial messages held at once
inline constexpr uint32_t kReassemblyTimeoutTicks = 200;  // 2 s at the daemon's 10 ms tick

static_assert(kReplayWindowBits % 64 == 0, "the window is a whole number of u64 words");
static_assert(kDatagramBytesMin > kSealOverheadBytes + kFragmentHeaderBytes);
static_assert(kFragmentsPerMessageMax *
                      (kDatagramBytesMin - kSealOverheadBytes - kFragmentHeaderBytes) >=
                  kMessageBytesMax,
              "the largest message fits the fragment bound at the smallest datagram");
static_assert(kDatagramBytesDefault >= kDatagramBytesMin &&
              kDatagramBytesDefault <= kDatagramBytesMax);

}  // namespace pifleet::wire
