// `pifleet keygen [--out FILE]`: a new 256-bit cluster key, base64, for --key-file.
// Written to stdout, the key file is still made private: when stdout is a regular file
// (`pifleet keygen > cluster.key`), its mode is set to 0600 before the key is written.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "agent/base/random.h"
#include "agent/cli/command.h"
#include "agent/wire/keyring.h"

namespace pifleet::cli {
namespace {

Status WriteAll(int fd, const std::string& text, const std::string& where) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError("writing " + where + ": " + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status Run(const std::string& out_path, bool force) {
  wire::KeyBytes key;
  if (Status status = RandomBytes(key.data(), key.size()); !status.ok()) return status;
  const std::string text = wire::FormatKey(key) + "\n";
  if (out_path.empty()) {
    struct stat st {};
    if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && fchmod(STDOUT_FILENO, 0600) != 0) {
      return Status::IOError(std::string("cannot make the key file private: ") +
                             std::strerror(errno));
    }
    return WriteAll(STDOUT_FILENO, text, "stdout");
  }
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
  const int fd = open(out_path.c_str(), flags, 0600);
  if (fd < 0) {
    return Status::IOError("cannot create " + out_path + ": " + std::strerror(errno) +
                           (errno == EEXIST ? " (use --force to replace it)" : ""));
  }
  Status status = fchmod(fd, 0600) == 0
                      ? WriteAll(fd, text, out_path)
                      : Status::IOError("chmod " + out_path + ": " + std::strerror(errno));
  if (status.ok() && fsync(fd) != 0) {
    status = Status::IOError("fsync " + out_path + ": " + std::strerror(errno));
  }
  close(fd);
  return status;
}

}  // namespace

void InstallKeygenCommand(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("keygen", "Print a new 256-bit cluster key (base64, mode 0600)");
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("--out", *out, "Write the key to FILE (created with mode 0600)");
  cmd->add_flag("--force", *force, "Replace FILE if it exists");
  cmd->callback([out, force, &context] {
    const Status status = Run(*out, *force);
    if (!status.ok()) std::fprintf(stderr, "pifleet keygen: %s\n", status.ToString().c_str());
    context.exit_code = status.ok() ? kExitOk : kExitError;
  });
}

}  // namespace pifleet::cli
