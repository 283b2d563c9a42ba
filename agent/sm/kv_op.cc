#include "agent/sm/kv_op.h"

#include "agent/base/bytes.h"

namespace pifleet::sm {

std::string EncodeKvOp(const KvOp& op) {
  ByteWriter w;
  w.U8(static_cast<uint8_t>(op.kind));
  w.Str(op.key);
  w.Str(op.value);
  w.Str(op.expected);
  return std::move(w.out);
}

std::optional<KvOp> DecodeKvOp(const std::string& bytes) {
  ByteReader r{bytes};
  const uint8_t kind = r.U8();
  if (!r.ok || kind < 1 || kind > 4) return std::nullopt;
  KvOp op;
  op.kind = static_cast<KvKind>(kind);
  op.key = r.Str();
  op.value = r.Str();
  op.expected = r.Str();
  if (!r.Done()) return std::nullopt;
  return op;
}

}  // namespace pifleet::sm
