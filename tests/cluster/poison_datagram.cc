// pifleet-poison: sends, sealed with the cluster key from a raw UDP socket, one message that
// carries something out of bounds, for poison_test.sh (issue 18: input checked at the edge).
// The peer kinds are a Request (the message a follower forwards proposals in) addressed to the
// agent's node id from a sender of its own; each would be a poison pill if it reached the core.
// Prints one line: "sent KIND in N datagrams". Exit codes: 0 sent, 1 error, 2 usage.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "agent/base/assert.h"
#include "agent/base/random.h"
#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/sm/kv_op.h"
#include "agent/wire/codec.h"
#include "agent/wire/fragments.h"
#include "agent/wire/keyring.h"
#include "agent/wire/seal.h"
#include "tests/cluster/datagram_kit.h"

namespace pifleet::testing {
namespace {

constexpr size_t kPlaintextBytes = 1300;  // fits the agent's default 1400-byte datagram
constexpr size_t kMebibyte = 1024 * 1024;

core::Command Reconfig(std::vector<core::NodeId> voters, std::vector<core::NodeId> learners) {
  core::Command command{RandomU64(), 1, core::CommandKind::kReconfig, "", {}, 1};
  command.config.voters = std::move(voters);
  command.config.learners = std::move(learners);
  return command;
}

std::string PutWithKeyOf(size_t key_bytes) {
  return sm::EncodeKvOp(sm::KvOp{sm::KvKind::kPut, std::string(key_bytes, 'k'), "poison", ""});
}

struct Target {
  core::NodeId node = 0;  // the agent's node id (status --json)
  uint64_t sender = RandomU64();
};

using Build = std::function<wire::WireMessage(const Target&)>;

wire::WireMessage PeerRequest(const Target& target, core::Command command) {
  return core::Envelope{target.sender, target.node, core::Request{{std::move(command)}}};
}

const std::map<std::string, Build>& Kinds() {
  static const std::map<std::string, Build> kinds = {
      {"reconfig_no_voters", [](const Target& t) { return PeerRequest(t, Reconfig({}, {})); }},
      {"reconfig_8_voters",
       [](const Target& t) {
         return PeerRequest(t, Reconfig({1, 2, 3, 4, 5, 6, 7, 8}, {}));
       }},
      {"reconfig_duplicate_ids",
       [](const Target& t) {
         return PeerRequest(t, Reconfig({t.node, t.node, t.node}, {}));
       }},
      {"reconfig_voter_and_learner",
       [](const Target& t) { return PeerRequest(t, Reconfig({t.node}, {t.node})); }},
      // More fragments than a message may have (wire::kFragmentsPerMessageMax = 1024; 2 MiB
      // at the default datagram is ~1630): every one is dropped as it arrives.
      {"kv_key_2mib",
       [](const Target& t) {
         return PeerRequest(
             t, {RandomU64(), 1, core::CommandKind::kApp, PutWithKeyOf(2 * kMebibyte), {}});
       }},
      {"kv_key_over_bound",  // reassembles, then exceeds kCommandBytesMax by one byte
       [](const Target& t) {
         std::string payload = PutWithKeyOf(core::kCommandBytesMax);
         payload.resize(core::kCommandBytesMax + 1, 'k');
         return PeerRequest(t, {RandomU64(), 1, core::CommandKind::kApp, payload, {}});
       }},
      {"client_kv_key_over_bound",  // the same command as a client's kv request
       [](const Target&) {
         std::string payload = PutWithKeyOf(core::kCommandBytesMax);
         payload.resize(core::kCommandBytesMax + 1, 'k');
         return wire::WireMessage(
             wire::ClientRequest{RandomU64(), 1, wire::ClientOp::kKv, payload});
       }},
  };
  return kinds;
}

// Frames like wire::Fragment, but with no limit on the count: the 2 MiB kind must go out whole.
std::vector<Bytes> Frame(const std::string& body) {
  if (body.size() + 1 <= kPlaintextBytes) return {Whole(body)};
  const size_t chunk = kPlaintextBytes - wire::kFragmentHeaderBytes;
  const size_t count = (body.size() + chunk - 1) / chunk;
  PIFLEET_ASSERT(count <= UINT16_MAX);
  const uint32_t id = static_cast<uint32_t>(RandomU64());
  std::vector<Bytes> out;
  for (size_t index = 0; index < count; ++index) {
    Bytes plaintext{1};
    for (int i = 0; i < 4; ++i) plaintext.push_back(static_cast<uint8_t>(id >> (8 * i)));
    for (int i = 0; i < 2; ++i) plaintext.push_back(static_cast<uint8_t>(index >> (8 * i)));
    for (int i = 0; i < 2; ++i) plaintext.push_back(static_cast<uint8_t>(count >> (8 * i)));
    const size_t from = index * chunk;
    plaintext.insert(
        plaintext.end(), body.begin() + static_cast<std::ptrdiff_t>(from),
        body.begin() + static_cast<std::ptrdiff_t>(std::min(body.size(), from + chunk)));
    out.push_back(std::move(plaintext));
  }
  return out;
}

int Usage() {
  std::fprintf(stderr,
               "usage: pifleet-poison --key-file FILE --to HOST:PORT --node ID [--cluster NAME] "
               "KIND\nkinds:");
  for (const auto& [name, build] : Kinds()) std::fprintf(stderr, " %s", name.c_str());
  std::fprintf(stderr, "\n");
  return kExitUsage;
}

int Main(int argc, char** argv) {
  std::string key_file, to, cluster = "pifleet", kind;
  Target target;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--key-file" && has_value) {
      key_file = argv[++i];
    } else if (arg == "--to" && has_value) {
      to = argv[++i];
    } else if (arg == "--node" && has_value) {
      target.node = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--cluster" && has_value) {
      cluster = argv[++i];
    } else if (kind.empty() && arg.rfind("--", 0) != 0) {
      kind = arg;
    } else {
      return Usage();
    }
  }
  const auto found = Kinds().find(kind);
  if (key_file.empty() || to.empty() || target.node == 0 || found == Kinds().end()) {
    return Usage();
  }
  wire::Keyring keyring;
  wire::KeyBytes key{};
  if (!ReadClusterKey(key_file, &keyring, &key)) {
    std::fprintf(stderr, "pifleet-poison: cannot read a cluster key from %s\n", key_file.c_str());
    return kExitError;
  }
  UdpSender socket("pifleet-poison");
  if (!socket.Connect(to)) return kExitError;
  wire::Sealer sealer(&keyring, daemon::ClusterIdFor(cluster), target.sender,
                      static_cast<uint32_t>(RandomU64()));
  const std::vector<Bytes> plaintexts = Frame(wire::Encode(found->second(target)));
  for (const Bytes& plaintext : plaintexts) {
    Bytes datagram;
    PIFLEET_ASSERT(sealer.Seal(plaintext, &datagram).ok());
    if (!socket.Send(datagram)) return kExitError;
    usleep(200);  // a socket buffer's worth at a time: the agent must see every datagram
  }
  std::printf("sent %s in %zu datagrams\n", kind.c_str(), plaintexts.size());
  return kExitOk;
}

}  // namespace
}  // namespace pifleet::testing

int main(int argc, char** argv) { return pifleet::testing::Main(argc, argv); }
