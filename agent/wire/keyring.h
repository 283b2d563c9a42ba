// The cluster keys a node holds (DESIGN §4, after Consul's keyring): several installed, one
// primary that seals what this node sends. Receivers open with whichever installed key the
// datagram's key id names, so a rotation is install -> use -> remove with no downtime.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/wire/limits.h"

namespace pifleet::wire {

using KeyBytes = std::array<uint8_t, kKeyBytes>;

// A key's id is the first byte of its SHA-256: no id travels beside a key in config files,
// and two keys in one keyring must differ in it (Install refuses a collision).
uint8_t KeyId(const KeyBytes& key);
// A key id as the wire, the log and `pifleet key list` show it: two lower-case hex digits.
std::string KeyIdText(uint8_t key_id);
// Parses two hex digits (either case); false otherwise.
bool ParseKeyIdText(std::string_view text, uint8_t* key_id);

// Key text as `pifleet keygen` writes it: base64 of 32 bytes; surrounding whitespace ignored.
Status ParseKey(std::string_view text, KeyBytes* out);
std::string FormatKey(const KeyBytes& key);

class Keyring {
 public:
  // The first key installed becomes the primary.
  Status Install(const KeyBytes& key);
  Status Use(uint8_t key_id);
  // The primary cannot be removed: `use` another key first.
  Status Remove(uint8_t key_id);

  const KeyBytes* Find(uint8_t key_id) const;
  std::optional<uint8_t> primary_id() const { return primary_id_; }
  std::vector<uint8_t> ids() const;
  bool empty() const { return keys_.empty(); }

 private:
  struct Entry {
    uint8_t id;
    KeyBytes key;
  };
  std::vector<Entry> keys_;
  std::optional<uint8_t> primary_id_;
};

}  // namespace pifleet::wire
