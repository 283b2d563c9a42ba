// Every --json output of pifleet goes through nlohmann/json (no JSON built by concatenation).
// Strings from the network may hold any bytes: control characters are escaped, and bytes that
// are not UTF-8 become U+FFFD, so the output is always valid JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace pifleet::daemon {

// Fields keep the order they were set in, as the docs list them.
using Json = nlohmann::ordered_json;

// `value` as one line of JSON (no trailing newline).
std::string JsonText(const Json& value);

}  // namespace pifleet::daemon
