// Random bytes from the kernel (getrandom(2)), for what must differ between processes and
// boots: node ids, client ids, wire epochs, cluster keys, the core's PRNG seed. Never used by
// agent/core, whose randomness is a seeded PRNG handed in.
#pragma once

#include <cstddef>
#include <cstdint>

#include "agent/base/status.h"

namespace pifleet {

// Fills bytes [out, out + size); retries interrupted and partial reads. IOError when the
// kernel refuses (getrandom is in every Linux since 3.17).
Status RandomBytes(void* out, size_t size);
// A random value other than 0 (0 means "none" in our ids). Stops the process when the kernel
// refuses random bytes: nothing safe can be done without them.
uint64_t RandomU64();
uint32_t RandomU32();

}  // namespace pifleet
