#include "tests/sim/lin/history_file.h"

#include <array>
#include <charconv>
#include <cstdio>
#include <fstream>

namespace pifleet::lin {
namespace {

constexpr size_t kFieldCount = 9;
constexpr std::array<const char*, kFieldCount> kFieldNames = {
    "client", "call", "return", "kind", "key", "value", "expected", "ok", "output"};
constexpr std::string_view kPendingText = "pending";

std::string Escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof(hex), "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Unescape(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      *out += text[i];
      continue;
    }
    if (++i == text.size()) return false;
    switch (text[i]) {
      case '\\':
        *out += '\\';
        break;
      case 't':
        *out += '\t';
        break;
      case 'n':
        *out += '\n';
        break;
      case 'r':
        *out += '\r';
        break;
      case 'x': {
        if (i + 2 >= text.size()) return false;
        const int hi = HexDigit(text[i + 1]);
        const int lo = HexDigit(text[i + 2]);
        if (hi < 0 || lo < 0) return false;
        *out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

template <typename Int>
bool ParseInt(std::string_view text, Int* value) {
  if (text.empty() || text[0] == '+' || text[0] == '-') return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

bool ParseKind(std::string_view text, OpKind* kind) {
  for (const OpKind k : {OpKind::kPut, OpKind::kGet, OpKind::kCas, OpKind::kDelete}) {
    if (text == OpKindName(k)) {
      *kind = k;
      return true;
    }
  }
  return false;
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t tab = line.find('\t'); tab != std::string_view::npos; tab = line.find('\t', start)) {
    fields.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
  fields.push_back(line.substr(start));
  return fields;
}

Status FieldError(size_t field, std::string_view text, const char* want) {
  return Status::InvalidArgument(std::string("field '") + kFieldNames[field] + "' " + want +
                                 ", got \"" + Escape(std::string(text)) + "\"");
}

// Parses one non-comment line; errors name the field but not yet the line.
Status ParseLine(std::string_view line, Operation* op) {
  const std::vector<std::string_view> f = SplitTabs(line);
  if (f.size() != kFieldCount) {
    return Status::InvalidArgument("expected " + std::to_string(kFieldCount) +
                                   " tab-separated fields, got " + std::to_string(f.size()));
  }
  if (!ParseInt(f[0], &op->client_id)) return FieldError(0, f[0], "must be an unsigned integer");
  if (!ParseInt(f[1], &op->call_time)) return FieldError(1, f[1], "must be an integer >= 0");
  if (f[2] == kPendingText) {
    op->return_time = kPending;
  } else if (!ParseInt(f[2], &op->return_time) || op->return_time < op->call_time) {
    return FieldError(2, f[2], "must be an integer >= call, or \"pending\"");
  }
  if (!ParseKind(f[3], &op->kind)) return FieldError(3, f[3], "must be put, get, cas or delete");
  if (!Unescape(f[4], &op->key)) return FieldError(4, f[4], "has a bad escape");
  if (!Unescape(f[5], &op->value)) return FieldError(5, f[5], "has a bad escape");
  if (!Unescape(f[6], &op->expected)) return FieldError(6, f[6], "has a bad escape");
  if (f[7] != "true" && f[7] != "false") return FieldError(7, f[7], "must be true or false");
  op->ok = f[7] == "true";
  if (!Unescape(f[8], &op->output)) return FieldError(8, f[8], "has a bad escape");
  return Status::Ok();
}

// Errors start with `where` followed by the line number and ": ".
Status ParseLines(std::string_view text, const std::string& where_prefix,
                  std::vector<Operation>* history) {
  history->clear();
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF files
    const std::string where = where_prefix + std::to_string(line_number) + ": ";
    if (line.size() > kHistoryLineBytesMax) {
      return Status::InvalidArgument(where + "longer than " + std::to_string(kHistoryLineBytesMax) +
                                     " bytes");
    }
    if (line.empty() || line[0] == '#') continue;
    Operation op;
    const Status status = ParseLine(line, &op);
    if (!status.ok()) return Status::InvalidArgument(where + status.message());
    history->push_back(std::move(op));
  }
  return Status::Ok();
}

}  // namespace

std::string FormatOperationLine(const Operation& op) {
  std::string line = std::to_string(op.client_id) + "\t" + std::to_string(op.call_time) + "\t";
  line += op.return_time == kPending ? std::string(kPendingText) : std::to_string(op.return_time);
  line += std::string("\t") + OpKindName(op.kind) + "\t" + Escape(op.key) + "\t" +
          Escape(op.value) + "\t" + Escape(op.expected) + "\t" + (op.ok ? "true" : "false") + "\t" +
          Escape(op.output) + "\n";
  return line;
}

std::string FormatHistory(const std::vector<Operation>& history) {
  std::string text = std::string(kHistoryHeader) + "\n";
  for (const Operation& op : history) text += FormatOperationLine(op);
  return text;
}

Status ParseHistory(std::string_view text, std::vector<Operation>* history) {
  return ParseLines(text, "line ", history);
}

Status ReadHistoryFile(const std::string& path, std::vector<Operation>* history) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open");
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kHistoryFileBytesMax) {
      return Status::InvalidArgument(path + ": larger than " +
                                     std::to_string(kHistoryFileBytesMax) + " bytes");
    }
  }
  if (in.bad()) return Status::IOError(path + ": read failed");
  return ParseLines(text, path + ":", history);  // "path:3: ..." as compilers write it
}

Status WriteHistoryFile(const std::string& path, const std::vector<Operation>& history) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError(path + ": cannot create");
  const std::string text = FormatHistory(history);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return Status::IOError(path + ": write failed");
  return Status::Ok();
}

}  // namespace pifleet::lin
