// Text that crosses a trust boundary: names and other strings from a config file or the
// network are checked before they are stored (bounded, no control characters), and anything
// from the network is escaped before it reaches a terminal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace pifleet {

// InvalidArgument naming `what` and the bound when `text` is longer than bytes_max bytes or
// holds a control character (C0, DEL, or a UTF-8 encoded C1) or bytes that are not UTF-8.
Status CheckText(std::string_view what, std::string_view text, size_t bytes_max);

// `text` safe to print on a terminal: printable ASCII and well-formed UTF-8 (C1 controls
// excepted) as they are; a backslash as "\\"; every other byte as "\xNN".
std::string EscapeForTerminal(std::string_view text);
// The same, line by line: the newlines between lines are kept.
std::string EscapeLinesForTerminal(std::string_view text);

}  // namespace pifleet
