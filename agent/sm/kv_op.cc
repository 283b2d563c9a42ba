#include "agent/sm/kv_op.h"

namespace pifleet::sm {
namespace {
void PutString(std::string& out, const std::string& s) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  out += s;
}

bool GetString(const std::string& in, size_t& pos, std::string& s) {
  if (in.size() - pos < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= uint32_t{static_cast<uint8_t>(in[pos + i])} << (8 * i);
  pos += 4;
  if (in.size() - pos < n) return false;
  s.assign(in, pos, n);
  pos += n;
  return true;
}
}  // namespace

std::string EncodeKvOp(const KvOp& op) {
  std::string out(1, static_cast<char>(op.kind));
  PutString(out, op.key);
  PutString(out, op.value);
  PutString(out, op.expected);
  return out;
}

std::optional<KvOp> DecodeKvOp(const std::string& bytes) {
  if (bytes.empty()) return std::nullopt;
  KvOp op;
  const uint8_t kind = static_cast<uint8_t>(bytes[0]);
  if (kind < 1 || kind > 4) return std::nullopt;
  op.kind = static_cast<KvKind>(kind);
  size_t pos = 1;
  if (!GetString(bytes, pos, op.key) || !GetString(bytes, pos, op.value) ||
      !GetString(bytes, pos, op.expected) || pos != bytes.size()) {
    return std::nullopt;
  }
  return op;
}

}  // namespace pifleet::sm
