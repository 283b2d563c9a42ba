// The msgpack decoder sees every authenticated plaintext. Whatever it is given it must refuse
// cleanly or produce a message whose encoding decodes to the same encoding (canonical form).
#include <cstddef>
#include <cstdint>
#include <span>

#include "agent/base/assert.h"
#include "agent/wire/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pifleet::wire;
  WireMessage message;
  if (Decode(std::span(data, size), &message) != DropReason::kNone) return 0;
  const std::string once = Encode(message);
  WireMessage again;
  PIFLEET_ASSERT(Decode(std::span(reinterpret_cast<const uint8_t*>(once.data()), once.size()),
                        &again) == DropReason::kNone);
  PIFLEET_ASSERT(Encode(again) == once);
  return 0;
}
