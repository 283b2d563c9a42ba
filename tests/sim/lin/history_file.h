// A recorded client history as text: one operation per line, nine tab-separated fields.
//
//   client  call  return  kind  key  value  expected  ok  output
//
// client: unsigned decimal; call: decimal >= 0; return: decimal >= call, or "pending";
// kind: put | get | cas | delete; ok: true | false; key, value, expected, output: text where
// backslash, tab, newline and carriage return are written \\ \t \n \r, and other control bytes
// \xHH. An empty field is the empty string (for a value: the absent key). Blank lines and lines
// starting with '#' are ignored. Full description: docs/linearizability.md.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "tests/sim/lin/linearizability.h"

namespace pifleet::lin {

// Bounds on what the reader accepts, so a wrong file cannot exhaust memory.
constexpr size_t kHistoryLineBytesMax = size_t{1} << 20;
constexpr size_t kHistoryFileBytesMax = size_t{1} << 30;

// The comment line FormatHistory starts with.
constexpr std::string_view kHistoryHeader =
    "# pifleet history v1: client\tcall\treturn\tkind\tkey\tvalue\texpected\tok\toutput";

// One operation as one line, ending in '\n'. Recorders append these as operations finish.
std::string FormatOperationLine(const Operation& op);

// The header line followed by every operation.
std::string FormatHistory(const std::vector<Operation>& history);

// Parses a whole history. Errors are InvalidArgument and start with "line N: ".
Status ParseHistory(std::string_view text, std::vector<Operation>* history);

// Errors name the file, and for bad content the line: "path:N: ...".
Status ReadHistoryFile(const std::string& path, std::vector<Operation>* history);
Status WriteHistoryFile(const std::string& path, const std::vector<Operation>& history);

}  // namespace pifleet::lin
