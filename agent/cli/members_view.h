// `pifleet members`: the two renderings of the members table one node sent
// (a table for people, JSON for scripts). Rendering takes the parsed view, never the payload,
// so the table's transport can change without touching the output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/daemon/fleet_json.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::cli {

// The rows and whose view they are, as the agent sends them (wire::MembersBody).
using MemberRow = wire::MemberRow;
using MembersView = wire::MembersBody;

using daemon::MembersJson;  // the fleet page's /v1/members has the same rows
std::string MembersText(const MembersView& view);

}  // namespace pifleet::cli
