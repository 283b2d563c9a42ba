#include "agent/daemon/notify.h"

#include "agent/daemon/journal.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

namespace pifleet::daemon {
namespace {

// A stand-in for systemd: binds a datagram socket where $NOTIFY_SOCKET would point.
class FakeSystemd {
 public:
  explicit FakeSystemd(std::string path) : path_(std::move(path)) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path_.data(), path_.size());
    if (path_[0] == '@') address.sun_path[0] = '\0';
    const socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), length), 0) << strerror(errno);
    timeval timeout{2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~FakeSystemd() {
    close(fd_);
    if (path_[0] == '/') unlink(path_.c_str());
  }
  std::string Receive() {
    char buffer[512];
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    return n < 0 ? std::string("<nothing>") : std::string(buffer, static_cast<size_t>(n));
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST(Notifier, SendsReadyStatusAndWatchdogToAPathSocket) {
  const std::string path = "/tmp/pifleet-notify-test-" + std::to_string(getpid());
  FakeSystemd systemd(path);
  Notifier notifier(path, 30'000'000);
  ASSERT_TRUE(notifier.enabled());
  EXPECT_EQ(notifier.watchdog_usec(), 30'000'000u);
  ASSERT_TRUE(notifier.Ready().ok());
  EXPECT_EQ(systemd.Receive(), "READY=1");
  ASSERT_TRUE(notifier.SetStatus("leader, 3 voters\nsecond line").ok());
  EXPECT_EQ(systemd.Receive(), "STATUS=leader, 3 voters second line");
  ASSERT_TRUE(notifier.Watchdog().ok());
  EXPECT_EQ(systemd.Receive(), "WATCHDOG=1");
}

TEST(Notifier, SupportsAbstractSockets) {
  const std::string path = "@pifleet-notify-test-" + std::to_string(getpid());
  FakeSystemd systemd(path);
  Notifier notifier(path);
  ASSERT_TRUE(notifier.Stopping().ok());
  EXPECT_EQ(systemd.Receive(), "STOPPING=1");
}

TEST(Notifier, IsANoOpWithoutSocketAndAnErrorWithABadOne) {
  Notifier off("");
  EXPECT_FALSE(off.enabled());
  EXPECT_TRUE(off.Ready().ok());
  Notifier relative("relative/path");
  EXPECT_EQ(relative.Ready().code(), Status::Code::kInvalidArgument);
  Notifier missing("/tmp/pifleet-no-such-notify-socket");
  EXPECT_EQ(missing.Ready().code(), Status::Code::kIOError);
}

TEST(Journal, EncodesPlainFieldsAndLengthPrefixesValuesWithNewlines) {
  const std::string entry =
      EncodeJournalEntry({{"MESSAGE", "two\nlines"}, {"PRIORITY", "6"}, {"EMPTY", ""}});
  const std::string want = std::string("MESSAGE\n") + std::string("\x09\0\0\0\0\0\0\0", 8) +
                           "two\nlines\nPRIORITY=6\nEMPTY=\n";
  EXPECT_EQ(entry, want);
}

TEST(Journal, SendsOneDatagramPerEntryAndFailsWithoutAJournal) {
  const std::string path = "/tmp/pifleet-journal-test-" + std::to_string(getpid());
  FakeSystemd journald(path);
  JournalSocket journal(path);
  ASSERT_TRUE(journal.Send({{"MESSAGE", "started"}, {"PIFLEET_NODE", "3"}}).ok());
  EXPECT_EQ(journald.Receive(), "MESSAGE=started\nPIFLEET_NODE=3\n");
  ASSERT_TRUE(journal.Send({{"MESSAGE", "again"}}).ok());  // the socket is kept open
  EXPECT_EQ(journald.Receive(), "MESSAGE=again\n");
  JournalSocket missing("/tmp/pifleet-no-such-journal-socket");
  EXPECT_EQ(missing.Send({{"MESSAGE", "lost"}}).code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace pifleet::daemon
