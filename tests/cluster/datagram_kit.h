// What the datagram crafting tools of the cluster tests share (pifleet-badgram, pifleet-poison):
// a connected UDP socket, the cluster key read from a key file, and framing of a whole message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/wire/keyring.h"

namespace pifleet::testing {

using Bytes = std::vector<uint8_t>;

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// A UDP socket connected to one agent; errors are printed with the tool's name.
class UdpSender {
 public:
  explicit UdpSender(std::string tool) : tool_(std::move(tool)) {}
  ~UdpSender();
  UdpSender(const UdpSender&) = delete;
  UdpSender& operator=(const UdpSender&) = delete;

  bool Connect(const std::string& endpoint_text);  // HOST:PORT
  bool Send(const Bytes& datagram);
  // True when any datagram arrives within `wait_ms` (the agent answered a valid request).
  bool AwaitAnswer(int wait_ms);

 private:
  std::string tool_;
  int fd_ = -1;
};

// The cluster key in `key_file` (as `pifleet keygen` writes it), installed in `keyring`.
bool ReadClusterKey(const std::string& key_file, wire::Keyring* keyring, wire::KeyBytes* key);

// A whole (unfragmented) message's plaintext: kind byte 0, then the msgpack body.
Bytes Whole(std::string_view body);

}  // namespace pifleet::testing
