// Keyring operations as replicated-log commands (docs/security.md, "Key rotation"). Every node
// applies the same sequence, so every keyring goes through the same install -> use -> remove
// steps, and a node that was offline replays the ones it missed. Payloads start with a byte of
// their own (0x20..0x23) beside the kv (1..4) and members (0x10..0x11) commands; then
// install: the key's 32 bytes | use, remove: key id u8 | state: node u64, primary id u8, ids u8...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/wire/keyring.h"

namespace pifleet::sm {

enum class KeyCommandKind : uint8_t {
  kInstall = 0x20,  // key: add to every keyring (receive with it; the primary is unchanged)
  kUse = 0x21,      // key_id: make it the primary everywhere (send with it)
  kRemove = 0x22,   // key_id: drop it from every keyring
  kState = 0x23,    // node, primary, ids: what one node's keyring holds now (its report)
};

struct KeyCommand {
  KeyCommandKind kind = KeyCommandKind::kState;
  wire::KeyBytes key{};      // kInstall
  uint8_t key_id = 0;        // kUse, kRemove; kState: the node's primary
  uint64_t node = 0;         // kState
  std::vector<uint8_t> ids;  // kState: every installed key id, ascending
  bool operator==(const KeyCommand&) const = default;
};

bool IsKeyCommand(std::string_view payload);
std::string EncodeKeyCommand(const KeyCommand& command);
// nullopt unless the bytes are exactly one well-formed command.
std::optional<KeyCommand> DecodeKeyCommand(std::string_view payload);

}  // namespace pifleet::sm
