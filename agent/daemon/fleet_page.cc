#include "agent/daemon/fleet_page.h"

namespace pifleet::daemon {

std::string_view FindEmbeddedFile(std::string_view name) {
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    if (file.name == name) return file.bytes;
  }
  return {};
}

size_t EmbeddedBytes() {
  size_t bytes = 0;
  for (const EmbeddedFile& file : EmbeddedFiles()) bytes += file.bytes.size();
  return bytes;
}

}  // namespace pifleet::daemon
