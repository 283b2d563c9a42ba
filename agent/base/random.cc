#include "agent/base/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "agent/base/assert.h"

namespace pifleet {
namespace {

template <typename T>
T RandomNonZero() {
  T value = 0;
  while (value == 0) {
    const Status status = RandomBytes(&value, sizeof(value));
    PIFLEET_ASSERT_MSG(status.ok(), status.message().c_str());
  }
  return value;
}

}  // namespace

Status RandomBytes(void* out, size_t size) {
  auto* bytes = static_cast<unsigned char*>(out);
  size_t filled = 0;
  while (filled < size) {
    const ssize_t n = getrandom(bytes + filled, size - filled, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(std::string("getrandom: ") + std::strerror(errno));
    filled += static_cast<size_t>(n);
  }
  return Status::Ok();
}

uint64_t RandomU64() { return RandomNonZero<uint64_t>(); }
uint32_t RandomU32() { return RandomNonZero<uint32_t>(); }

}  // namespace pifleet
