// `pifleet netboot serve|enroll|remove|list`: network boot for Raspberry Pis (docs/netboot.md).
// serve, enroll and remove parse their flags here and then exec provisioning/pifleet-netboot,
// which drives the external tools (sfdisk, mtools, debugfs, dnsmasq, the NFS server): exec, so
// SIGTERM from systemd reaches the script, which stops everything it started. list is C++
// (netboot_list.cc): it reads the node directories and asks the cluster for its members.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "agent/cli/command.h"

#ifndef PIFLEET_SOURCE_DIR
#define PIFLEET_SOURCE_DIR ""
#endif

namespace pifleet::cli {

int RunNetbootList(const ClientOptions& client, const std::string& root, bool json, bool offline);

namespace {

struct NetbootArgs {
  std::string image, interface, root, cluster_config, hostname_pattern, nfs, server_ip;
  std::string serial, hostname;
  bool json = false;
  bool offline = false;
};

std::string ExeDir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

// The script: $PIFLEET_NETBOOT_SCRIPT, next to an installed binary (<prefix>/lib/pifleet/),
// or in the source tree this binary was built from.
std::string FindScript(std::string* tried) {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("PIFLEET_NETBOOT_SCRIPT")) candidates.emplace_back(env);
  candidates.push_back(ExeDir() + "/../lib/pifleet/pifleet-netboot");
  if (std::strlen(PIFLEET_SOURCE_DIR) > 0) {
    candidates.push_back(std::string(PIFLEET_SOURCE_DIR) + "/provisioning/pifleet-netboot");
  }
  for (const auto& c : candidates) {
    if (access(c.c_str(), X_OK) == 0) return c;
    *tried += (tried->empty() ? "" : ", ") + c;
  }
  return "";
}

// Replaces this process with the script; returns only on failure.
int ExecScript(const std::vector<std::string>& args) {
  std::string tried;
  const std::string script = FindScript(&tried);
  if (script.empty()) {
    std::fprintf(stderr,
                 "pifleet netboot: cannot find the pifleet-netboot script (tried %s); set "
                 "PIFLEET_NETBOOT_SCRIPT\n",
                 tried.c_str());
    return kExitError;
  }
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(script.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  execv(script.c_str(), argv.data());
  std::fprintf(stderr, "pifleet netboot: cannot run %s: %s\n", script.c_str(),
               std::strerror(errno));
  return kExitError;
}

void AddIf(std::vector<std::string>* args, const char* flag, const std::string& value) {
  if (value.empty()) return;
  args->emplace_back(flag);
  args->push_back(value);
}

void InstallServe(CLI::App& netboot, Context& context, const std::shared_ptr<NetbootArgs>& a) {
  auto* cmd = netboot.add_subcommand(
      "serve", "Serve IMG to network-booting Pis on IF (proxy-DHCP, TFTP, NFS root); foreground");
  cmd->add_option("--image", a->image, "Image: image/build output or Raspberry Pi OS (.img[.xz])")
      ->required();
  cmd->add_option("--interface", a->interface, "Network interface the Pis are on")->required();
  cmd->add_option("--root", a->root, "Directory for the TFTP tree, node roots and logs")
      ->required();
  cmd->add_option("--cluster-config", a->cluster_config,
                  "pifleet.toml new nodes start from (forced to role learner); default: the "
                  "image's");
  cmd->add_option("--hostname-pattern", a->hostname_pattern,
                  "Hostname of a new node; {serial} is its serial (default pi-{serial})");
  cmd->add_option("--nfs", a->nfs,
                  "ganesha: run nfs-ganesha (default); external: you export ROOT/nodes")
      ->check(CLI::IsMember({"ganesha", "external"}));
  cmd->add_option("--server-ip", a->server_ip, "Address the Pis reach (default: IF's IPv4)");
  cmd->callback([a, &context] {
    std::vector<std::string> args{"serve",      "--image", a->image, "--interface",
                                  a->interface, "--root",  a->root};
    AddIf(&args, "--cluster-config", a->cluster_config);
    AddIf(&args, "--hostname-pattern", a->hostname_pattern);
    AddIf(&args, "--nfs", a->nfs);
    AddIf(&args, "--server-ip", a->server_ip);
    context.exit_code = ExecScript(args);
  });
}

void InstallEnrollRemove(CLI::App& netboot, Context& context,
                         const std::shared_ptr<NetbootArgs>& a) {
  auto* enroll = netboot.add_subcommand("enroll", "Enrol SERIAL by hand (as serve does on sight)");
  enroll->add_option("SERIAL", a->serial, "8 hex digits, as the Pi asks for <serial>/start4.elf")
      ->required();
  enroll->add_option("--root", a->root, "The directory serve uses")->required();
  enroll->add_option("--hostname", a->hostname, "Hostname (default: serve's pattern)");
  enroll->callback([a, &context] {
    std::vector<std::string> args{"enroll", a->serial, "--root", a->root};
    AddIf(&args, "--hostname", a->hostname);
    context.exit_code = ExecScript(args);
  });
  auto* remove = netboot.add_subcommand("remove", "Forget SERIAL: its TFTP directory and root");
  remove->add_option("SERIAL", a->serial, "8 hex digits")->required();
  remove->add_option("--root", a->root, "The directory serve uses")->required();
  remove->callback([a, &context] {
    context.exit_code = ExecScript({"remove", a->serial, "--root", a->root});
  });
}

}  // namespace

void InstallNetbootCommand(CLI::App& app, Context& context) {
  auto* netboot = app.add_subcommand("netboot", "Network boot: serve an image to Pis on the wire");
  netboot->require_subcommand(1);
  netboot->footer("Docs: docs/netboot.md. Exit codes: 0 ok, 1 error, 2 usage.");
  auto a = std::make_shared<NetbootArgs>();
  InstallServe(*netboot, context, a);
  InstallEnrollRemove(*netboot, context, a);
  auto* list = netboot->add_subcommand(
      "list", "Each Pi: serial, hostname, MAC, first/last boot, whether it joined the cluster");
  list->add_option("--root", a->root, "The directory serve uses")->required();
  list->add_flag("--json", a->json, "A JSON array");
  list->add_flag("--offline", a->offline, "Do not ask the cluster (joined: unknown)");
  list->callback([a, &context] {
    context.exit_code = RunNetbootList(context.client, a->root, a->json, a->offline);
  });
}

}  // namespace pifleet::cli
