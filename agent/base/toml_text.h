// A guard in front of toml++ (Debian bookworm's 3.3.0): its whitespace test for a non-ASCII
// character reaches __builtin_unreachable for most code points (for example `role = "auto"ь`),
// which is undefined behaviour, not a parse error; and while it builds an error message it
// scans a bad token onwards, past quotes, so a raw non-ASCII byte anywhere but in a comment can
// reach that test. The config fuzz target found both. So raw non-ASCII bytes are accepted in
// comments only, and refused elsewhere with their place before the parser sees them; a string
// can still hold any character as a \u escape (\u00fc for a u-umlaut).
#pragma once

#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace pifleet {

// InvalidArgument "SOURCE:LINE:COLUMN: ..." at the first byte >= 0x80 outside a comment; Ok
// otherwise (the rest is the parser's to judge). Strings are tracked only so that a `#` inside
// one does not start a comment.
Status CheckTomlNonAsciiPlacement(std::string_view text, const std::string& source);

}  // namespace pifleet
