#include "agent/base/text.h"

#include <algorithm>
#include <cstdint>

namespace pifleet {
namespace {

// Length of the well-formed, printable UTF-8 sequence at text[i] (1 for printable ASCII), or 0
// for a control character, a C1 control, or a byte that starts no well-formed sequence.
size_t PrintableAt(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  if (lead >= 0x20 && lead < 0x7f) return 1;
  // Lead bytes 0xc2..0xdf open 2 bytes, 0xe0..0xef 3, 0xf0..0xf4 4; the rest open none.
  const size_t length = lead >= 0xc2 && lead <= 0xdf   ? 2
                        : lead >= 0xe0 && lead <= 0xef ? 3
                        : lead >= 0xf0 && lead <= 0xf4 ? 4
                                                       : 0;
  if (length == 0) return 0;
  uint32_t code = lead & (0x7f >> length);
  if (text.size() - i < length) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code = code << 6 | (byte(i + k) & 0x3f);
  }
  const uint32_t min_code[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < min_code[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  if (code < 0xa0) return 0;  // C1 controls (U+0080..U+009F): a terminal may obey them
  return length;
}

}  // namespace

Status CheckText(std::string_view what, std::string_view text, size_t bytes_max) {
  if (text.size() > bytes_max) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(text.size()) +
                                   " bytes long; the limit is " + std::to_string(bytes_max) +
                                   " bytes");
  }
  for (size_t i = 0; i < text.size();) {
    const size_t length = PrintableAt(text, i);
    if (length == 0) {
      return Status::InvalidArgument(std::string(what) +
                                     " holds a control character or bytes that are not UTF-8 "
                                     "(at byte " +
                                     std::to_string(i) + ")");
    }
    i += length;
  }
  return Status::Ok();
}

std::string EscapeForTerminal(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t length = PrintableAt(text, i);
    if (length == 1 && text[i] == '\\') {
      out += "\\\\";
    } else if (length > 0) {
      out.append(text.substr(i, length));
    } else {
      const auto byte = static_cast<uint8_t>(text[i]);
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
    i += length > 0 ? length : 1;
  }
  return out;
}

std::string EscapeLinesForTerminal(std::string_view text) {
  std::string out;
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    out += EscapeForTerminal(text.substr(start, end - start));
    if (end == text.size()) break;
    out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace pifleet
