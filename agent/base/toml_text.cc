#include "agent/base/toml_text.h"

#include <cstddef>

namespace pifleet {
namespace {

enum class Where { kBare, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };

bool StartsWith(std::string_view text, size_t i, std::string_view what) {
  return text.substr(i, what.size()) == what;
}

// At a closing `"""` or `'''`: up to two more quotes belong to the string (TOML 1.0).
size_t ClosingRun(std::string_view text, size_t i, char quote) {
  size_t run = 0;
  while (i + run < text.size() && text[i + run] == quote && run < 5) ++run;
  return run;
}

}  // namespace

Status CheckTomlNonAsciiPlacement(std::string_view text, const std::string& source) {
  Where where = Where::kBare;
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i < text.size(); ++i, ++column) {
    const char c = text[i];
    if (c == '\n') {
      if (where == Where::kComment || where == Where::kBasic || where == Where::kLiteral) {
        where = Where::kBare;  // a single-line string left open is the parser's error to report
      }
      ++line;
      column = 0;
      continue;
    }
    if (where != Where::kComment && static_cast<unsigned char>(c) >= 0x80) {
      return Status::InvalidArgument(
          source + ":" + std::to_string(line) + ":" + std::to_string(column) +
          ": a non-ASCII character outside a comment (in a \"...\" string write it as "
          "\\u00fc for a u-umlaut: this build's TOML parser mishandles raw non-ASCII text)");
    }
    switch (where) {
      case Where::kBare:
        if (c == '#') {
          where = Where::kComment;
        } else if (StartsWith(text, i, "\"\"\"")) {
          where = Where::kMultiBasic;
          i += 2;
          column += 2;
        } else if (StartsWith(text, i, "'''")) {
          where = Where::kMultiLiteral;
          i += 2;
          column += 2;
        } else if (c == '"') {
          where = Where::kBasic;
        } else if (c == '\'') {
          where = Where::kLiteral;
        }
        break;
      case Where::kComment:
        break;
      case Where::kBasic:
      case Where::kMultiBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          ++i;  // an escaped character never ends the string
          ++column;
        } else if (where == Where::kBasic && c == '"') {
          where = Where::kBare;
        } else if (where == Where::kMultiBasic && StartsWith(text, i, "\"\"\"")) {
          const size_t run = ClosingRun(text, i, '"');
          i += run - 1;
          column += run - 1;
          where = Where::kBare;
        }
        break;
      case Where::kLiteral:
        if (c == '\'') where = Where::kBare;
        break;
      case Where::kMultiLiteral:
        if (StartsWith(text, i, "'''")) {
          const size_t run = ClosingRun(text, i, '\'');
          i += run - 1;
          column += run - 1;
          where = Where::kBare;
        }
        break;
    }
  }
  return Status::Ok();
}

}  // namespace pifleet
