#include "agent/sm/key_commands.h"

#include <algorithm>

#include "agent/base/bytes.h"

namespace pifleet::sm {

bool IsKeyCommand(std::string_view payload) {
  if (payload.empty()) return false;
  const auto first = static_cast<uint8_t>(payload[0]);
  return first >= static_cast<uint8_t>(KeyCommandKind::kInstall) &&
         first <= static_cast<uint8_t>(KeyCommandKind::kState);
}

std::string EncodeKeyCommand(const KeyCommand& command) {
  ByteWriter w;
  w.U8(static_cast<uint8_t>(command.kind));
  switch (command.kind) {
    case KeyCommandKind::kInstall:
      w.Raw({reinterpret_cast<const char*>(command.key.data()), command.key.size()});
      break;
    case KeyCommandKind::kUse:
    case KeyCommandKind::kRemove:
      w.U8(command.key_id);
      break;
    case KeyCommandKind::kState:
      w.U64(command.node);
      w.U8(command.key_id);
      for (uint8_t id : command.ids) w.U8(id);
      break;
  }
  return std::move(w.out);
}

namespace {

// Ascending and unique, the primary among them: the one spelling of a keyring state.
bool IsCanonicalState(const KeyCommand& command) {
  const auto& ids = command.ids;
  return std::is_sorted(ids.begin(), ids.end()) &&
         std::adjacent_find(ids.begin(), ids.end()) == ids.end() &&
         std::find(ids.begin(), ids.end(), command.key_id) != ids.end();
}

}  // namespace

std::optional<KeyCommand> DecodeKeyCommand(std::string_view payload) {
  if (!IsKeyCommand(payload)) return std::nullopt;
  ByteReader r{payload};
  KeyCommand command;
  command.kind = static_cast<KeyCommandKind>(r.U8());
  switch (command.kind) {
    case KeyCommandKind::kInstall: {
      const std::string_view key = r.Raw(wire::kKeyBytes);
      std::copy(key.begin(), key.end(), command.key.begin());
      break;
    }
    case KeyCommandKind::kUse:
    case KeyCommandKind::kRemove:
      command.key_id = r.U8();
      break;
    case KeyCommandKind::kState:
      command.node = r.U64();
      command.key_id = r.U8();
      if (r.in.size() > wire::kKeyringKeysMax) return std::nullopt;
      while (r.ok && !r.in.empty()) command.ids.push_back(r.U8());
      if (!IsCanonicalState(command)) return std::nullopt;
      break;
  }
  if (!r.Done()) return std::nullopt;
  return command;
}

}  // namespace pifleet::sm
