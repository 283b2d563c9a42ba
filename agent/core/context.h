// State shared by the roles of one core: its options, PRNG, configuration history, and the
// Ready being filled. Roles write their output here; Core::TakeReady hands it to the driver.
#pragma once

#include <utility>

#include "agent/core/membership.h"
#include "agent/core/options.h"
#include "agent/core/ready.h"
#include "agent/core/rng.h"

namespace pifleet::core {

struct Context {
  explicit Context(const CoreOptions& opts)
      : options(opts), rng(opts.seed), membership(opts.initial_config, opts.canary) {}

  NodeId self() const { return options.id; }
  void Send(NodeId to, Message message) {
    ready.messages.push_back(Envelope{options.id, to, std::move(message)});
  }
  // For replies that reveal acceptor state: they leave once that state is durable.
  void SendAfterSync(NodeId to, Message message) {
    ready.messages_after_sync.push_back(Envelope{options.id, to, std::move(message)});
  }
  // Records are built in place: copying a whole variant trips gcc 12's maybe-uninitialized.
  void PersistPromise(Ballot ballot) {
    ready.records.emplace_back(std::in_place_type<PromiseRecord>, PromiseRecord{ballot});
    ready.must_sync = true;
  }
  void PersistAccept(const PValue& pvalue) {
    ready.records.emplace_back(std::in_place_type<AcceptRecord>, AcceptRecord{pvalue});
    ready.must_sync = true;
  }

  CoreOptions options;
  Rng rng;
  Membership membership;
  Ready ready;
};

}  // namespace pifleet::core
