#include "tests/sim/trace.h"

#include <cstdio>

namespace pifleet::sim {

void Trace::Line(int64_t now_us, const std::string& line) const {
  if (!print_) return;
  std::printf("t=%lld.%03lldms %s\n", static_cast<long long>(now_us / 1000),
              static_cast<long long>(now_us % 1000), line.c_str());
}

}  // namespace pifleet::sim
