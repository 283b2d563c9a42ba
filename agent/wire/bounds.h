// The edge check: every decoded message is held against the bounds of the constants headers
// (agent/core/constants.h, agent/wire/limits.h) before anything of it reaches the core or the
// state machine. Decode (codec.h) only proves the shape; this proves the sizes and counts:
// voter and learner counts, duplicate ids, a node both voter and learner, payload and string
// sizes, items per message. Anything out of bounds is dropped as DropReason::kOutOfBounds.
#pragma once

#include "agent/wire/client_messages.h"
#include "agent/wire/codec.h"
#include "agent/wire/drop_reason.h"

namespace pifleet::wire {

// kNone when every field of the message is within bounds, kOutOfBounds otherwise.
DropReason CheckBounds(const WireMessage& message);
// The client side of it, kept apart so that the client protocol can grow its own checks.
DropReason CheckClientRequest(const ClientRequest& request);
DropReason CheckClientReply(const ClientReply& reply);

}  // namespace pifleet::wire
