#include "agent/wire/key_commands.h"

#include <algorithm>
#include <cstdio>

namespace pifleet::wire {

bool IsKeyCommand(std::string_view payload) {
  if (payload.empty()) return false;
  const auto first = static_cast<uint8_t>(payload[0]);
  return first >= static_cast<uint8_t>(KeyCommandKind::kInstall) &&
         first <= static_cast<uint8_t>(KeyCommandKind::kState);
}

std::string EncodeKeyCommand(const KeyCommand& command) {
  std::string out(1, static_cast<char>(command.kind));
  switch (command.kind) {
    case KeyCommandKind::kInstall:
      out.append(reinterpret_cast<const char*>(command.key.data()), command.key.size());
      break;
    case KeyCommandKind::kUse:
    case KeyCommandKind::kRemove:
      out.push_back(static_cast<char>(command.key_id));
      break;
    case KeyCommandKind::kState:
      for (int shift = 0; shift < 64; shift += 8) {
        out.push_back(static_cast<char>((command.node >> shift) & 0xff));
      }
      out.push_back(static_cast<char>(command.key_id));
      for (uint8_t id : command.ids) out.push_back(static_cast<char>(id));
      break;
  }
  return out;
}

std::optional<KeyCommand> DecodeKeyCommand(std::string_view payload) {
  if (!IsKeyCommand(payload)) return std::nullopt;
  KeyCommand command;
  command.kind = static_cast<KeyCommandKind>(payload[0]);
  const std::string_view body = payload.substr(1);
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(body[i]); };
  switch (command.kind) {
    case KeyCommandKind::kInstall:
      if (body.size() != kKeyBytes) return std::nullopt;
      for (size_t i = 0; i < kKeyBytes; ++i) command.key[i] = byte(i);
      return command;
    case KeyCommandKind::kUse:
    case KeyCommandKind::kRemove:
      if (body.size() != 1) return std::nullopt;
      command.key_id = byte(0);
      return command;
    case KeyCommandKind::kState: {
      if (body.size() < 9 || body.size() > 9 + kKeyringKeysMax) return std::nullopt;
      for (size_t i = 0; i < 8; ++i) command.node |= uint64_t{byte(i)} << (8 * i);
      command.key_id = byte(8);
      for (size_t i = 9; i < body.size(); ++i) command.ids.push_back(byte(i));
      // Ascending and unique, the primary among them: the one spelling of a keyring state.
      if (!std::is_sorted(command.ids.begin(), command.ids.end()) ||
          std::adjacent_find(command.ids.begin(), command.ids.end()) != command.ids.end() ||
          std::find(command.ids.begin(), command.ids.end(), command.key_id) == command.ids.end()) {
        return std::nullopt;
      }
      return command;
    }
  }
  return std::nullopt;
}

std::string KeyIdText(uint8_t key_id) {
  char text[4];
  std::snprintf(text, sizeof(text), "%02x", key_id);
  return text;
}

bool ParseKeyIdText(std::string_view text, uint8_t* key_id) {
  if (text.size() != 2) return false;
  uint8_t value = 0;
  for (char c : text) {
    uint8_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint8_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint8_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<uint8_t>(c - 'A' + 10);
    } else {
      return false;
    }
    value = static_cast<uint8_t>(value * 16 + digit);
  }
  *key_id = value;
  return true;
}

}  // namespace pifleet::wire
