#include "agent/daemon/json_text.h"

namespace pifleet::daemon {

std::string JsonText(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pifleet::daemon
