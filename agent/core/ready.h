// The core's output batch, after etcd-io/raft's Ready. The driver (daemon or simulator) handles
// the fields of one Ready in this order, then calls Core::Advance():
//   1. `records`: append to durable storage; when `must_sync`, start an fdatasync. One sync may
//      cover the records of several Readies (group commit).
//   2. `messages`: send now. They never depend on unsynced state.
//   3. `messages_after_sync`: send only once every record handed out so far (in this and every
//      earlier Ready) is durable: promises and accepted replies. A crash before that drops them.
//   4. `committed`: decided slot values, in slot order without gaps; apply them to the state
//      machine in this order.
// Messages addressed to this node itself must be delivered back to it (never dropped unless the
// node crashes): the local acceptor answers the local leader through the same path.
#pragma once

#include <vector>

#include "agent/core/durable.h"
#include "agent/core/message.h"

namespace pifleet::core {

struct Ready {
  std::vector<Record> records;
  bool must_sync = false;
  std::vector<Envelope> messages;
  std::vector<Envelope> messages_after_sync;
  std::vector<Decision> committed;

  bool Empty() const {
    return records.empty() && messages.empty() && messages_after_sync.empty() && committed.empty();
  }
};

}  // namespace pifleet::core
