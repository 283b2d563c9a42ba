#include "agent/wire/keyring_file.h"

#include <charconv>
#include <optional>
#include <sstream>
#include <vector>

namespace pifleet::wire {
std::string EncodeKeyringFile(const Keyring& keyring, uint64_t applied_slot) {
  std::string out = "# pifleet keyring: managed by `pifleet key`; keep it mode 0600\n";
  out += "applied_slot " + std::to_string(applied_slot) + "\n";
  for (uint8_t id : keyring.ids()) {
    out += (keyring.primary_id() == id ? "primary " : "key ") + FormatKey(*keyring.Find(id)) + "\n";
  }
  return out;
}

Status DecodeKeyringFile(std::string_view text, const std::string& source, Keyring* keyring,
                         uint64_t* applied_slot) {
  Keyring parsed;
  std::optional<uint8_t> primary;
  std::optional<uint64_t> slot;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const auto bad = [&](const std::string& why) {
      std::string where = source;
      where += ":" + std::to_string(number) + ": ";
      return Status::Corruption(where + why);
    };
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos) return bad("expected 'WORD VALUE'");
    const std::string word = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    if (word == "applied_slot") {
      uint64_t parsed_slot = 0;
      const auto [end, error] =
          std::from_chars(value.data(), value.data() + value.size(), parsed_slot);
      if (error != std::errc() || end != value.data() + value.size()) return bad("bad slot");
      slot = parsed_slot;
    } else if (word == "primary" || word == "key") {
      KeyBytes key;
      if (Status status = ParseKey(value, &key); !status.ok()) return bad(status.message());
      if (Status status = parsed.Install(key); !status.ok()) return bad(status.message());
      if (word == "primary") {
        if (primary) return bad("two primary keys");
        primary = KeyId(key);
      }
    } else {
      return bad("unknown word '" + word + "'");
    }
  }
  if (!slot) return Status::Corruption(source + ": no applied_slot line");
  if (!primary) return Status::Corruption(source + ": no primary key");
  if (Status status = parsed.Use(*primary); !status.ok()) return status;
  *keyring = std::move(parsed);
  *applied_slot = *slot;
  return Status::Ok();
}

Status SaveKeyringFile(store::Env* env, const std::string& data_dir, const Keyring& keyring,
                       uint64_t applied_slot) {
  // The Env creates it 0600 (it holds key material) and replaces it atomically.
  return store::WriteFileAtomically(env, data_dir, kKeyringFileName,
                                    EncodeKeyringFile(keyring, applied_slot));
}

Status LoadKeyringFile(store::Env* env, const std::string& data_dir, Keyring* keyring,
                       uint64_t* applied_slot) {
  const std::string path = store::JoinPath(data_dir, kKeyringFileName);
  if (!env->FileExists(path)) return Status::NotFound(path + " does not exist");
  std::string text;
  if (Status status = store::ReadFileToString(env, path, &text); !status.ok()) return status;
  return DecodeKeyringFile(text, path, keyring, applied_slot);
}

}  // namespace pifleet::wire
