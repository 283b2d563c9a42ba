#include "agent/base/fast_hash.h"

// Header-only: the whole function is compiled here, and only here.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace pifleet {

uint64_t Xxh3Hash64(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

}  // namespace pifleet
