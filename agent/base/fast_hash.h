// XXH3, 64 bits (Debian's libxxhash-dev, inlined: no library at run time): the hash of large
// blobs that the event loop computes, snapshots above all. FNV-1a (hash.h) takes a multiply per
// byte, 22 ms for a 14.5 MiB snapshot; XXH3 reads 32 bytes a step with SIMD on x86-64 and on the
// Pi's NEON. Like FNV-1a, not for anything an attacker chooses to collide.
#pragma once

#include <cstdint>
#include <string_view>

namespace pifleet {

uint64_t Xxh3Hash64(std::string_view bytes);

}  // namespace pifleet
