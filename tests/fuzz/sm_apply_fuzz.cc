// Any bytes as decided commands (issue 18): every replica must get the same result from the
// same log, and nothing may assert. The input is a log of commands, each [u16 length LE | bytes]:
//   first byte 0: each command's bytes are a state-machine payload, applied to two fresh state
//     machines; results agree command by command, state hashes agree, and the snapshot of one
//     restores into a third with the same hash.
//   first byte 1: each command's bytes are a WAL pvalue (the disk form of a slot value); those
//     that decode are decided in slots 1, 2, 3... on two fresh replicas of one configuration
//     (a voter and a learner); both apply the same slots, refuse the same commands, and end
//     with the same configuration.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agent/base/assert.h"
#include "agent/codec/core_records.h"
#include "agent/core/core.h"
#include "agent/sm/session_commands.h"
#include "agent/sm/state_machine.h"

namespace {

using namespace pifleet;

std::vector<std::string> Split(const uint8_t* data, size_t size) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (size - pos >= 2) {
    const size_t length = std::min<size_t>(data[pos] | size_t{data[pos + 1]} << 8, size - pos - 2);
    out.emplace_back(reinterpret_cast<const char*>(data + pos + 2), length);
    pos += 2 + length;
  }
  return out;
}

void StateMachines(const std::vector<std::string>& payloads) {
  sm::StateMachine a, b;
  // Session 7 exists, so that the payloads reach the kv store, members and keys (an unknown
  // session is refused before them); payloads may still register or expire sessions.
  const std::string reg = sm::EncodeSessionCommand({sm::SessionCommandKind::kRegister, 1000, 0});
  for (int i = 0; i < 7; ++i) {
    a.Apply(0, 0, 0, reg);
    b.Apply(0, 0, 0, reg);
  }
  uint64_t slot = 0;
  for (const std::string& payload : payloads) {
    ++slot;
    const sm::KvResult ra = a.Apply(slot, 7, slot, payload);
    const sm::KvResult rb = b.Apply(slot, 7, slot, payload);
    PIFLEET_ASSERT(ra.ok == rb.ok && ra.output == rb.output);
  }
  PIFLEET_ASSERT(a.StateHash() == b.StateHash());
  sm::StateMachine c;
  PIFLEET_ASSERT(c.Restore(a.Snapshot()));
  PIFLEET_ASSERT(c.StateHash() == a.StateHash());
}

void Replicas(const std::vector<std::string>& pvalues) {
  core::Config config;
  config.voters = {1, 2, 3};
  config.learners = {4};
  std::vector<core::Decision> decisions;
  for (const std::string& bytes : pvalues) {
    core::PValue pvalue;
    if (!codec::DecodePValueRecord(bytes, &pvalue).ok()) continue;
    decisions.push_back(core::Decision{decisions.size() + 1, std::move(pvalue.value)});
  }
  std::vector<std::vector<core::Decision>> applied(2);
  std::vector<std::unique_ptr<core::Core>> cores;
  for (core::NodeId id : {2, 4}) {
    core::CoreOptions options;
    options.id = id;
    options.initial_config = config;
    cores.push_back(std::make_unique<core::Core>(options));
  }
  for (size_t i = 0; i < cores.size(); ++i) {
    for (const core::Decision& decision : decisions) {
      cores[i]->Receive(core::Envelope{1, cores[i]->id(), decision});
    }
    while (cores[i]->HasReady()) {
      core::Ready ready = cores[i]->TakeReady();
      for (core::Decision& d : ready.committed) applied[i].push_back(std::move(d));
      cores[i]->Advance();
    }
  }
  PIFLEET_ASSERT(applied[0].size() == decisions.size() && applied[1].size() == decisions.size());
  for (size_t i = 0; i < decisions.size(); ++i) {
    PIFLEET_ASSERT(applied[0][i].slot == i + 1 && applied[1][i].slot == i + 1);
    PIFLEET_ASSERT(applied[0][i].value == applied[1][i].value);
  }
  PIFLEET_ASSERT(cores[0]->AppliedRefused() == cores[1]->AppliedRefused());
  PIFLEET_ASSERT(cores[0]->membership().Latest() == cores[1]->membership().Latest());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::vector<std::string> items = Split(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    StateMachines(items);
  } else {
    Replicas(items);
  }
  return 0;
}
