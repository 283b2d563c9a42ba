// Any text as a config file (issue 18): parsed and validated, or refused with a message; never
// a crash. A config that passes validation holds only names within their bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/base/assert.h"
#include "agent/base/text.h"
#include "agent/daemon/config.h"
#include "agent/sm/member_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pifleet;
  daemon::AgentConfig config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!daemon::ParseConfigText(text, "fuzz.toml", &config).ok()) return 0;
  if (!daemon::ValidateConfig(config).ok()) return 0;
  PIFLEET_ASSERT(CheckText("name", config.name, sm::kMemberNameBytesMax).ok());
  PIFLEET_ASSERT(CheckText("cluster", config.cluster, sm::kClusterNameBytesMax).ok());
  return 0;
}
