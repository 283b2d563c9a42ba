// What `pifleet --version` reports; the definition is generated at build time
// (cmake/WriteVersion.cmake) so the git revision always matches the binary.
#pragma once

namespace pifleet {

struct BuildInfo {
  const char* version;        // "0.1.0"
  const char* git_revision;   // "3f2a9c1d0b7e", "-dirty" appended for a modified tree
  const char* build_type;     // "Release", "Debug", "MinSizeRel"
  const char* target_triple;  // the compiler's -dumpmachine, e.g. "aarch64-linux-gnu"
};

const BuildInfo& build_info();

}  // namespace pifleet
