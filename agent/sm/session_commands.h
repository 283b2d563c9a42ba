// Session commands through the log (agent/sm/sessions.h), beside the kv (1..4), members
// (0x10..0x11) and key (0x20..0x23) commands, told apart by their first byte:
//   register: 0x30 | now_ms u64             a client's new session; the result names its id
//   expire:   0x31 | now_ms u64 | idle_ms u64  proposed by the leader; drops idle sessions
// Times are the proposer's wall clock in ms since the Unix epoch, carried in the command so that
// every replica decides expiry the same way (integers little-endian).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pifleet::sm {

enum class SessionCommandKind : uint8_t { kRegister = 0x30, kExpire = 0x31 };

struct SessionCommand {
  SessionCommandKind kind = SessionCommandKind::kRegister;
  uint64_t now_ms = 0;
  uint64_t idle_ms = 0;  // kExpire only
  bool operator==(const SessionCommand&) const = default;
};

bool IsSessionCommand(const std::string& payload);
std::string EncodeSessionCommand(const SessionCommand& command);
// nullopt when the bytes are not a well-formed session command.
std::optional<SessionCommand> DecodeSessionCommand(const std::string& payload);

}  // namespace pifleet::sm
