// Lease requests shared by `pifleet lease` and `pifleet lock`: one through the log in the client's
// session, the state machine's answer or its refusal.
#pragma once

#include <string>

#include "agent/base/status.h"
#include "agent/cli/client.h"
#include "agent/wire/lease_bodies.h"

namespace pifleet::cli {

// On success *output is the state machine's answer (grant: the id; keepalive: the TTL in ms;
// revoke: "REVISION DELETED"). A refusal (no such lease, a TTL out of range) is an IOError.
Status LeaseCall(Client& client, const wire::LeaseRequestBody& body, std::string* output);

}  // namespace pifleet::cli
