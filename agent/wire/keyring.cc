#include "agent/wire/keyring.h"

#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include <algorithm>
#include <cstdio>

namespace pifleet::wire {

uint8_t KeyId(const KeyBytes& key) {
  uint8_t digest[32];
  mbedtls_sha256_ret(key.data(), key.size(), digest, 0);
  return digest[0];
}

Status ParseKey(std::string_view text, KeyBytes* out) {
  const auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) return Status::InvalidArgument("key is empty (create one with pifleet keygen)");
  uint8_t decoded[64];
  size_t length = 0;
  const int rc = mbedtls_base64_decode(decoded, sizeof(decoded), &length,
                                       reinterpret_cast<const uint8_t*>(text.data()), text.size());
  if (rc != 0) return Status::InvalidArgument("key is not valid base64");
  if (length != kKeyBytes) {
    return Status::InvalidArgument("key must be 32 bytes (256 bits), got " +
                                   std::to_string(length));
  }
  std::copy_n(decoded, kKeyBytes, out->begin());
  return Status::Ok();
}

std::string FormatKey(const KeyBytes& key) {
  uint8_t text[64];
  size_t length = 0;
  mbedtls_base64_encode(text, sizeof(text), &length, key.data(), key.size());
  return std::string(reinterpret_cast<const char*>(text), length);
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

Status Keyring::Install(const KeyBytes& key) {
  const uint8_t id = KeyId(key);
  for (const Entry& entry : keys_) {
    if (entry.id != id) continue;
    if (entry.key == key) return Status::Ok();  // installing twice is harmless
    return Status::InvalidArgument("key id " + KeyIdText(id) +
                                   " is taken by another installed key; generate a new key");
  }
  if (keys_.size() >= kKeyringKeysMax) {
    return Status::InvalidArgument("keyring is full (" + std::to_string(kKeyringKeysMax) +
                                   " keys); remove an old key first");
  }
  keys_.push_back({id, key});
  if (!primary_id_) primary_id_ = id;
  return Status::Ok();
}

Status Keyring::Use(uint8_t key_id) {
  if (!Find(key_id)) return Status::NotFound("no installed key with id " + KeyIdText(key_id));
  primary_id_ = key_id;
  return Status::Ok();
}

Status Keyring::Remove(uint8_t key_id) {
  if (primary_id_ == key_id) {
    return Status::InvalidArgument("key " + KeyIdText(key_id) +
                                   " is the primary; make another key primary first");
  }
  const auto it = std::find_if(keys_.begin(), keys_.end(),
                               [key_id](const Entry& entry) { return entry.id == key_id; });
  if (it == keys_.end()) return Status::NotFound("no installed key with id " + KeyIdText(key_id));
  keys_.erase(it);
  return Status::Ok();
}

const KeyBytes* Keyring::Find(uint8_t key_id) const {
  for (const Entry& entry : keys_) {
    if (entry.id == key_id) return &entry.key;
  }
  return nullptr;
}

std::vector<uint8_t> Keyring::ids() const {
  std::vector<uint8_t> result;
  for (const Entry& entry : keys_) result.push_back(entry.id);
  return result;
}

}  // namespace pifleet::wire
