// std::terminate's handler for the builds that link libstdc++ statically (PIFLEET_STATIC_DEPS).
// libstdc++'s default, __gnu_cxx::__verbose_terminate_handler, demangles the exception's type
// name, and its demangler is about 40 KB of the aarch64 binary. Defining the variable that holds
// the handler keeps the linker from taking libstdc++'s definition (eh_term_handler.o), and with
// it the demangler. This handler still prints the exception's message before it aborts.
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace {

[[noreturn]] void PrintAndAbort() {
  if (const std::exception_ptr current = std::current_exception()) {
    try {
      std::rethrow_exception(current);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pifleet: terminate called after an uncaught exception: %s\n", e.what());
    } catch (...) {
      std::fputs("pifleet: terminate called after an uncaught exception of unknown type\n", stderr);
    }
  } else {
    std::fputs("pifleet: terminate called without an active exception\n", stderr);
  }
  std::abort();
}

}  // namespace

// Declared by libstdc++'s unwind-cxx.h, read by std::terminate; std::set_terminate still works.
namespace __cxxabiv1 {
// NOLINTNEXTLINE(bugprone-reserved-identifier,readability-identifier-naming)
std::terminate_handler __terminate_handler = PrintAndAbort;
}  // namespace __cxxabiv1
