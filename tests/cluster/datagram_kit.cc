#include "tests/cluster/datagram_kit.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "agent/net/endpoint.h"
#include "agent/store/env.h"
#include "agent/store/posix_env.h"

namespace pifleet::testing {

UdpSender::~UdpSender() {
  if (fd_ >= 0) close(fd_);
}

bool UdpSender::Connect(const std::string& endpoint_text) {
  net::Endpoint endpoint;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (!net::ParseEndpoint(endpoint_text, &endpoint).ok() ||
      getaddrinfo(endpoint.host.c_str(), std::to_string(endpoint.port).c_str(), &hints, &found) !=
          0) {
    std::fprintf(stderr, "%s: cannot reach %s\n", tool_.c_str(), endpoint_text.c_str());
    return false;
  }
  fd_ = socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const bool ok = fd_ >= 0 && connect(fd_, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  if (!ok) std::fprintf(stderr, "%s: cannot reach %s\n", tool_.c_str(), endpoint_text.c_str());
  return ok;
}

bool UdpSender::Send(const Bytes& datagram) {
  const ssize_t sent = send(fd_, datagram.data(), datagram.size(), 0);
  if (sent != static_cast<ssize_t>(datagram.size())) {
    std::fprintf(stderr, "%s: send of %zu bytes: %s\n", tool_.c_str(), datagram.size(),
                 std::strerror(errno));
    return false;
  }
  return true;
}

bool UdpSender::AwaitAnswer(int wait_ms) {
  pollfd waiting{fd_, POLLIN, 0};
  if (poll(&waiting, 1, wait_ms) != 1) return false;
  Bytes buffer(65536);
  return recv(fd_, buffer.data(), buffer.size(), 0) > 0;
}

bool ReadClusterKey(const std::string& key_file, wire::Keyring* keyring, wire::KeyBytes* key) {
  std::string key_text;
  return store::ReadFileToString(store::PosixEnv(), key_file, &key_text).ok() &&
         wire::ParseKey(key_text, key).ok() && keyring->Install(*key).ok();
}

Bytes Whole(std::string_view body) {
  // Sized once and copied into: gcc 12 at -O3 misreads a vector insert after one element as
  // writing out of bounds (-Werror=array-bounds in the release preset).
  Bytes plaintext(body.size() + 1, 0);
  std::copy(body.begin(), body.end(), plaintext.begin() + 1);
  return plaintext;
}

}  // namespace pifleet::testing
