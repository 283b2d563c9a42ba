#include "agent/base/assert.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace pifleet {
namespace {
std::atomic<AssertHandler> g_handler{nullptr};
}  // namespace

void set_assert_handler(AssertHandler handler) { g_handler.store(handler); }

namespace detail {
void assert_failed(const char* expression, const char* file, int line, const char* message) {
  if (AssertHandler handler = g_handler.load()) {
    handler(expression, file, line, message);
  }
  std::fprintf(stderr, "pifleet: assertion failed: %s at %s:%d%s%s\n", expression, file, line,
               message ? ": " : "", message ? message : "");
  std::fflush(stderr);
  std::abort();
}
}  // namespace detail

}  // namespace pifleet
