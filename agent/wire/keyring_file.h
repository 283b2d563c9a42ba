// The keyring an agent persists in its data dir (`keyring`, mode 0600), so a node restarted
// after a rotation still holds the keys the cluster uses. Text, one key per line:
//   # comment
//   applied_slot 42
//   primary <base64>
//   key <base64>
// applied_slot is the log slot of the last key command applied to it: replaying the log after
// a restart must not roll the keyring back to an older state (daemon/key_rotation.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/store/env.h"
#include "agent/wire/keyring.h"

namespace pifleet::wire {

inline constexpr const char* kKeyringFileName = "keyring";

std::string EncodeKeyringFile(const Keyring& keyring, uint64_t applied_slot);
// Corruption naming `source` and the line when the text is not a keyring this build wrote.
Status DecodeKeyringFile(std::string_view text, const std::string& source, Keyring* keyring,
                         uint64_t* applied_slot);

// Replaces data_dir/keyring atomically through env (temp file 0600, fsync, rename, fsync of the
// directory: store::WriteFileAtomically).
Status SaveKeyringFile(store::Env* env, const std::string& data_dir, const Keyring& keyring,
                       uint64_t applied_slot);
// NotFound when data_dir/keyring does not exist.
Status LoadKeyringFile(store::Env* env, const std::string& data_dir, Keyring* keyring,
                       uint64_t* applied_slot);

}  // namespace pifleet::wire
