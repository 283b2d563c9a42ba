// Always-on assertions for programmer errors (never compiled out, not tied to NDEBUG).
// Operating errors are values (Status); a broken invariant stops the process.
#pragma once

namespace pifleet {

// Called on a failed assertion. Must not return. The simulator installs one that records the
// seed before aborting; the default prints the failed expression and aborts.
using AssertHandler = void (*)(const char* expression, const char* file, int line,
                               const char* message);
void set_assert_handler(AssertHandler handler);

namespace detail {
[[noreturn]] void assert_failed(const char* expression, const char* file, int line,
                                const char* message);
}  // namespace detail

}  // namespace pifleet

#define PIFLEET_ASSERT(cond) \
  ((cond) ? (void)0 : ::pifleet::detail::assert_failed(#cond, __FILE__, __LINE__, nullptr))
#define PIFLEET_ASSERT_MSG(cond, msg) \
  ((cond) ? (void)0 : ::pifleet::detail::assert_failed(#cond, __FILE__, __LINE__, (msg)))
