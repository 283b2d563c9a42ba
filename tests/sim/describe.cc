#include "tests/sim/describe.h"

namespace pifleet::sim {
namespace {
std::string Field(const char* name, uint64_t value) {
  return std::string(" ") + name + "=" + std::to_string(value);
}
}  // namespace

std::string Describe(const core::Ballot& ballot) {
  return "(" + std::to_string(ballot.round) + "," + std::to_string(ballot.node) + ")";
}

std::string Describe(const core::Envelope& envelope) {
  std::string out = "n" + std::to_string(envelope.to) + " <- n" + std::to_string(envelope.from) +
                    " " + core::MessageName(envelope.message);
  std::visit(
      [&out](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, core::Prepare>) {
          out += " b=" + Describe(m.ballot) + Field("from", m.from_slot);
        } else if constexpr (std::is_same_v<T, core::Promise>) {
          out += " b=" + Describe(m.ballot) + " promised=" + Describe(m.promised) +
                 Field("pvalues", m.accepted.size());
        } else if constexpr (std::is_same_v<T, core::Accept>) {
          out += " b=" + Describe(m.ballot) + Field("slot", m.slot) +
                 Field("cmds", m.value.commands.size());
        } else if constexpr (std::is_same_v<T, core::Accepted>) {
          out += " b=" + Describe(m.ballot) + Field("slot", m.slot) +
                 " promised=" + Describe(m.promised);
        } else if constexpr (std::is_same_v<T, core::Decision>) {
          out += Field("slot", m.slot) + Field("cmds", m.value.commands.size());
        } else if constexpr (std::is_same_v<T, core::Active>) {
          out += " b=" + Describe(m.ballot) + Field("applied", m.applied_slot) +
                 (m.lease_stamp != 0 ? Field("stamp", m.lease_stamp) : "");
        } else if constexpr (std::is_same_v<T, core::Request>) {
          out += Field("cmds", m.commands.size());
        } else if constexpr (std::is_same_v<T, core::CatchupRequest>) {
          out += Field("from", m.from_slot);
        } else if constexpr (std::is_same_v<T, core::CatchupReply>) {
          out += Field("decisions", m.decisions.size()) + Field("applied", m.applied_slot);
        } else if constexpr (std::is_same_v<T, core::SnapshotOffer>) {
          out += Field("slot", m.slot) + Field("bytes", m.bytes);
        } else if constexpr (std::is_same_v<T, core::SnapshotChunkRequest>) {
          out += Field("slot", m.slot) + Field("index", m.index);
        } else if constexpr (std::is_same_v<T, core::SnapshotChunk>) {
          out += Field("slot", m.slot) + Field("index", m.index) + Field("bytes", m.data.size());
        } else {
          static_assert(std::is_same_v<T, core::LeaseGrant>);
          out += Field("ballot", m.ballot.round) + Field("stamp", m.stamp);
        }
      },
      envelope.message);
  return out;
}

}  // namespace pifleet::sim
