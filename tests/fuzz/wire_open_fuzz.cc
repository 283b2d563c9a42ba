// Whatever arrives on the UDP port goes through Opener and then Reassembler. Raw input must be
// dropped cleanly; input sealed with the right key must reach the reassembler and be bounded.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agent/base/assert.h"
#include "agent/wire/fragments.h"
#include "agent/wire/seal.h"

namespace {

using namespace pifleet::wire;

struct World {
  Keyring ring;
  Opener opener{&ring, 1, kDatagramBytesDefault};
  Sealer sealer{&ring, 1, 2, 1};
  Reassembler reassembler;
  uint64_t now_ticks = 0;
  World() {
    KeyBytes key{};
    key[0] = 1;
    PIFLEET_ASSERT(ring.Install(key).ok());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;  // state carries across inputs, as on a long-running agent
  if (size == 0) return 0;
  const std::span<const uint8_t> input(data + 1, size - 1);
  std::vector<uint8_t> datagram;
  if (data[0] & 1) {
    if (input.size() + kSealOverheadBytes > kDatagramBytesDefault) return 0;
    PIFLEET_ASSERT(world.sealer.Seal(input, &datagram).ok());
  } else {
    datagram.assign(input.begin(), input.end());
  }
  Opened opened;
  if (world.opener.Open(datagram, &opened) != DropReason::kNone) return 0;
  std::vector<uint8_t> message;
  DropReason reason = DropReason::kNone;
  world.reassembler.Add(opened.sender, opened.plaintext, ++world.now_ticks, &message, &reason);
  world.reassembler.Expire(world.now_ticks);
  PIFLEET_ASSERT(world.reassembler.partial_count() <= kReassembliesMax);
  PIFLEET_ASSERT(message.size() <= size_t{kFragmentsPerMessageMax} * kDatagramBytesDefault);
  return 0;
}
