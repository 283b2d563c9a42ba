// Readable one-line descriptions of core messages for --trace.
#pragma once

#include <string>

#include "agent/core/message.h"

namespace pifleet::sim {

std::string Describe(const core::Ballot& ballot);
std::string Describe(const core::Envelope& envelope);

}  // namespace pifleet::sim
