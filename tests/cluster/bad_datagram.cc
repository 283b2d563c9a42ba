// pifleet-badgram: sends one kind of bad datagram to an agent from a raw UDP socket, for
// bad_datagrams_test.sh. Each kind is built to hit exactly one drop reason of
// agent/wire/drop_reason.h; where a kind needs the agent to know the sender first (old_epoch),
// a valid request goes first and its answer is awaited. Prints one line: "sent KIND: N bad".
// Exit codes: 0 sent, 1 error (no answer to a valid request, send refused), 2 usage.
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "agent/base/assert.h"
#include "agent/base/random.h"
#include "agent/daemon/agent.h"
#include "agent/wire/codec.h"
#include "agent/wire/fragments.h"
#include "agent/wire/header.h"
#include "agent/wire/keyring.h"
#include "agent/wire/seal.h"
#include "tests/cluster/datagram_kit.h"

namespace pifleet::testing {
namespace {

constexpr int kAnswerWaitMs = 2000;
constexpr size_t kOversizeBytes = 65520;  // above kDatagramBytesMax; fits an IPv6 UDP payload

// Everything a kind needs: the cluster key, the cluster id, and a sender of its own.
struct Kit {
  wire::Keyring keyring;
  wire::KeyBytes key{};
  uint64_t cluster_id = 0;
  uint64_t sender = RandomU64();
  uint32_t epoch = RandomU32() | 2;  // >= 2, so epoch - 1 is a valid older epoch
  UdpSender* socket = nullptr;

  Bytes Seal(const wire::Keyring& ring, uint64_t cluster, uint32_t sealed_epoch,
             const Bytes& plaintext) const {
    wire::Sealer sealer(&ring, cluster, sender, sealed_epoch);
    Bytes datagram;
    PIFLEET_ASSERT(sealer.Seal(plaintext, &datagram).ok());
    return datagram;
  }
  Bytes Seal(const Bytes& plaintext) const { return Seal(keyring, cluster_id, epoch, plaintext); }
};

Bytes StatusRequest() {
  const std::string body =
      wire::Encode(wire::ClientRequest{RandomU64(), 1, wire::ClientOp::kStatus, std::string()});
  return Whole(body);
}

// Another key: with other_id, one whose key id differs; otherwise one with the same key id.
wire::Keyring OtherKeyring(const wire::KeyBytes& key, bool other_id) {
  wire::KeyBytes other{};
  do {
    PIFLEET_ASSERT(RandomBytes(other.data(), other.size()).ok());
  } while (other == key || (wire::KeyId(other) == wire::KeyId(key)) == other_id);
  wire::Keyring ring;
  PIFLEET_ASSERT(ring.Install(other).ok());
  return ring;
}

using KindFn = std::function<bool(Kit&)>;

const std::map<std::string, KindFn>& Kinds() {
  static const std::map<std::string, KindFn> kinds = {
      {"valid",
       [](Kit& kit) {
         return kit.socket->Send(kit.Seal(StatusRequest())) &&
                kit.socket->AwaitAnswer(kAnswerWaitMs);
       }},
      {"unknown_key",
       [](Kit& kit) {
         return kit.socket->Send(
             kit.Seal(OtherKeyring(kit.key, true), kit.cluster_id, kit.epoch, StatusRequest()));
       }},
      {"auth_failed",  // the same key id, other key bytes: the tag does not verify
       [](Kit& kit) {
         return kit.socket->Send(
             kit.Seal(OtherKeyring(kit.key, false), kit.cluster_id, kit.epoch, StatusRequest()));
       }},
      {"tampered",  // one ciphertext bit flipped in a valid datagram: auth_failed
       [](Kit& kit) {
         Bytes datagram = kit.Seal(StatusRequest());
         datagram[wire::kHeaderBytes] ^= 0x01;
         return kit.socket->Send(datagram);
       }},
      {"old_epoch",
       [](Kit& kit) {
         if (!kit.socket->Send(kit.Seal(StatusRequest())) ||
             !kit.socket->AwaitAnswer(kAnswerWaitMs)) {
           std::fprintf(stderr, "pifleet-badgram: no answer to the valid request\n");
           return false;
         }
         return kit.socket->Send(
             kit.Seal(kit.keyring, kit.cluster_id, kit.epoch - 1, StatusRequest()));
       }},
      {"truncated",  // cut inside the tag: shorter than header + tag
       [](Kit& kit) {
         Bytes datagram = kit.Seal(StatusRequest());
         datagram.resize(wire::kSealOverheadBytes - 1);
         return kit.socket->Send(datagram);
       }},
      {"oversize",
       [](Kit& kit) {
         return kit.socket->Send(kit.Seal(Bytes(kOversizeBytes - wire::kSealOverheadBytes, 0)));
       }},
      {"malformed",  // 0xc1 is never used by msgpack
       [](Kit& kit) { return kit.socket->Send(kit.Seal(Whole(std::string_view("\xc1\x00", 2)))); }},
      {"unknown_type",  // well-formed msgpack [99, 0]: no message has type 99
       [](Kit& kit) {
         return kit.socket->Send(kit.Seal(Whole(std::string_view("\x92\x63\x00", 3))));
       }},
      {"bad_magic",
       [](Kit& kit) {
         Bytes datagram = kit.Seal(StatusRequest());
         datagram[0] = 'X';
         return kit.socket->Send(datagram);
       }},
      {"bad_version",
       [](Kit& kit) {
         Bytes datagram = kit.Seal(StatusRequest());
         datagram[2] = wire::kWireVersion + 1;
         return kit.socket->Send(datagram);
       }},
      {"wrong_cluster",
       [](Kit& kit) {
         return kit.socket->Send(
             kit.Seal(kit.keyring, kit.cluster_id ^ 1, kit.epoch, StatusRequest()));
       }},
      {"bad_fragment",  // fragment 0 of a "1-fragment" message: count must be >= 2
       [](Kit& kit) {
         return kit.socket->Send(kit.Seal(Bytes{1, 7, 0, 0, 0, 0, 0, 1, 0, 0xaa}));
       }},
      {"reassembly_evicted",  // one fragment more than the reassembler holds, each 1 of 2
       [](Kit& kit) {
         wire::Sealer sealer(&kit.keyring, kit.cluster_id, kit.sender, kit.epoch);
         for (uint32_t id = 1; id <= wire::kReassembliesMax + 1; ++id) {
           Bytes plaintext{1, static_cast<uint8_t>(id), 0, 0, 0, 0, 0, 2, 0, 0xaa};
           Bytes datagram;
           PIFLEET_ASSERT(sealer.Seal(plaintext, &datagram).ok());
           if (!kit.socket->Send(datagram)) return false;
         }
         return true;
       }},
  };
  return kinds;
}

int Usage() {
  std::fprintf(stderr,
               "usage: pifleet-badgram --key-file FILE --to HOST:PORT [--cluster NAME] KIND\n"
               "kinds:");
  for (const auto& [name, fn] : Kinds()) std::fprintf(stderr, " %s", name.c_str());
  std::fprintf(stderr, "\n");
  return kExitUsage;
}

int Main(int argc, char** argv) {
  std::string key_file, to, cluster = "pifleet", kind;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--key-file" && has_value) {
      key_file = argv[++i];
    } else if (arg == "--to" && has_value) {
      to = argv[++i];
    } else if (arg == "--cluster" && has_value) {
      cluster = argv[++i];
    } else if (kind.empty() && arg.rfind("--", 0) != 0) {
      kind = arg;
    } else {
      return Usage();
    }
  }
  const auto found = Kinds().find(kind);
  if (key_file.empty() || to.empty() || found == Kinds().end()) return Usage();

  Kit kit;
  if (!ReadClusterKey(key_file, &kit.keyring, &kit.key)) {
    std::fprintf(stderr, "pifleet-badgram: cannot read a cluster key from %s\n", key_file.c_str());
    return kExitError;
  }
  kit.cluster_id = daemon::ClusterIdFor(cluster);
  UdpSender socket("pifleet-badgram");
  if (!socket.Connect(to)) return kExitError;
  kit.socket = &socket;
  if (!found->second(kit)) return kExitError;
  std::printf("sent %s\n", kind.c_str());
  return kExitOk;
}

}  // namespace
}  // namespace pifleet::testing

int main(int argc, char** argv) { return pifleet::testing::Main(argc, argv); }
