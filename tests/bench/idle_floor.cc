// pifleet-idle-floor: the idle benchmark's baseline (tests/bench/run idle). Three processes do
// only what an idle 3-voter cluster cannot avoid: the leader wakes every idle heartbeat period
// and sends a datagram to each follower, and each follower wakes to read it. No encoding, no
// sealing, no consensus: what is left of pifleet's idle CPU above this is ours to cut, and what
// this costs is the machine's price of a wakeup (large on a VM, small on a Pi).
//
// Usage: pifleet-idle-floor leader PORT FOLLOWERS | pifleet-idle-floor follower PORT
// (loopback only; followers listen on PORT+1..PORT+FOLLOWERS). Runs until killed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "agent/core/constants.h"

namespace {

// An idle leader's beat (Leader::HeartbeatPeriod), and about the size of its sealed Active.
constexpr uint32_t kPeriodMs =
    pifleet::core::kHeartbeatTicks * pifleet::core::kIdleHeartbeatFactor * pifleet::core::kTickMs;
constexpr size_t kDatagramBytes = 100;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "pifleet-idle-floor: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

int UdpSocket(int bind_port) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Die("socket");
  const sockaddr_in addr = Loopback(bind_port);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) Die("bind");
  return fd;
}

[[noreturn]] void Leader(int port, int followers) {
  const int fd = UdpSocket(port);
  const int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (timer < 0) Die("timerfd_create");
  const timespec period{0, static_cast<long>(kPeriodMs) * 1'000'000};
  const itimerspec spec{period, period};
  if (timerfd_settime(timer, 0, &spec, nullptr) != 0) Die("timerfd_settime");
  const std::array<char, kDatagramBytes> beat{};
  for (;;) {
    uint64_t expirations = 0;
    if (read(timer, &expirations, sizeof expirations) < 0 && errno != EINTR) Die("read");
    for (int i = 1; i <= followers; ++i) {
      const sockaddr_in to = Loopback(port + i);
      // A follower not up yet refuses; the next beat tries again.
      (void)sendto(fd, beat.data(), beat.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                   sizeof to);
    }
  }
}

[[noreturn]] void Follower(int port) {
  const int fd = UdpSocket(port);
  std::array<char, 2048> buffer{};
  for (;;) {
    if (recv(fd, buffer.data(), buffer.size(), 0) < 0 && errno != EINTR) Die("recv");
  }
}

int Usage() {
  std::fprintf(stderr,
               "usage: pifleet-idle-floor leader PORT FOLLOWERS | pifleet-idle-floor follower "
               "PORT\n  the wakeups of an idle cluster's heartbeat (every %u ms), nothing else; "
               "runs until killed\n",
               kPeriodMs);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    Usage();
    return 0;
  }
  const int port = argc >= 3 ? std::atoi(argv[2]) : 0;
  if (port <= 0 || port > 65000) return Usage();
  if (argc == 4 && std::string(argv[1]) == "leader") {
    const int followers = std::atoi(argv[3]);
    if (followers < 1 || followers > 100) return Usage();
    Leader(port, followers);
  }
  if (argc == 3 && std::string(argv[1]) == "follower") Follower(port);
  return Usage();
}
