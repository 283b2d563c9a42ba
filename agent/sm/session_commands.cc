#include "agent/sm/session_commands.h"

#include "agent/base/bytes.h"

namespace pifleet::sm {

bool IsSessionCommand(const std::string& payload) {
  if (payload.empty()) return false;
  const auto kind = static_cast<uint8_t>(payload[0]);
  return kind == static_cast<uint8_t>(SessionCommandKind::kRegister) ||
         kind == static_cast<uint8_t>(SessionCommandKind::kExpire);
}

std::string EncodeSessionCommand(const SessionCommand& command) {
  ByteWriter w;
  w.U8(static_cast<uint8_t>(command.kind));
  w.U64(command.now_ms);
  if (command.kind == SessionCommandKind::kExpire) w.U64(command.idle_ms);
  return std::move(w.out);
}

std::optional<SessionCommand> DecodeSessionCommand(const std::string& payload) {
  if (!IsSessionCommand(payload)) return std::nullopt;
  ByteReader r{payload};
  SessionCommand command;
  command.kind = static_cast<SessionCommandKind>(r.U8());
  command.now_ms = r.U64();
  if (command.kind == SessionCommandKind::kExpire) command.idle_ms = r.U64();
  if (!r.ok || !r.in.empty()) return std::nullopt;
  return command;
}

}  // namespace pifleet::sm
