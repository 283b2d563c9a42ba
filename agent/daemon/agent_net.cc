// Datagrams in and out: open (authenticate, replay filter), reassemble, decode, check bounds,
// dispatch; and encode, fragment, seal, send. Every bad datagram is dropped, counted by reason
// and logged at a limited rate; nothing about it reaches the core.
#include <algorithm>

#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/wire/bounds.h"

namespace pifleet::daemon {

void Agent::CountDrop(wire::DropReason reason, const net::UdpAddress& from) {
  log_->LogLimited(std::string("drop:") + wire::DropReasonName(reason), ticks_ * core::kTickMs,
                   Level::kNotice, "dropped a datagram",
                   {{"REASON", wire::DropReasonName(reason)},
                    {"FROM", from.address().to_string() + ":" + std::to_string(from.port())}});
}

void Agent::OnDatagram(std::span<const uint8_t> datagram, const net::UdpAddress& from) {
  // A loop that slept through ticks runs them first: the core measures the leader's silence
  // in ticks, and a message must not look earlier than it came.
  RunDueTicks();
  wire::Opened opened;
  if (wire::DropReason reason = opener_->Open(datagram, &opened);
      reason != wire::DropReason::kNone) {
    return CountDrop(reason, from);
  }
  std::vector<uint8_t> bytes;
  wire::DropReason reason = wire::DropReason::kNone;
  switch (reassembler_.Add(opened.sender, opened.plaintext, ticks_, &bytes, &reason)) {
    case wire::Reassembler::Result::kPending:
      return;
    case wire::Reassembler::Result::kDropped:
      ++decode_drops_[static_cast<size_t>(reason)];
      return CountDrop(reason, from);
    case wire::Reassembler::Result::kComplete:
      break;
  }
  wire::WireMessage message;
  if (reason = wire::Decode(bytes, &message); reason == wire::DropReason::kNone) {
    reason = wire::CheckBounds(message);  // nothing out of bounds reaches the core or the sm
  }
  if (reason != wire::DropReason::kNone) {
    ++decode_drops_[static_cast<size_t>(reason)];
    return CountDrop(reason, from);
  }
  if (auto* envelope = std::get_if<core::Envelope>(&message)) {
    OnEnvelope(*envelope, opened.sender, from);
  } else if (auto* request = std::get_if<wire::ClientRequest>(&message)) {
    keys_.NoteClientKey(from, opened.key_id);
    OnClientRequest(opened.sender, *request, from);
  } else {
    OnClientReply(opened.sender, std::get<wire::ClientReply>(message), from);
  }
}

void Agent::OnEnvelope(const core::Envelope& envelope, uint64_t sender,
                       const net::UdpAddress& from) {
  // The sealed header names the sender; a body claiming another is not believed.
  if (envelope.from != sender || envelope.to != meta_.node_id || !core()) {
    ++decode_drops_[static_cast<size_t>(wire::DropReason::kMalformed)];
    return CountDrop(wire::DropReason::kMalformed, from);
  }
  if (FromRemovedNode(envelope)) return;
  peers_.Heard(sender, from, ticks_);
  driver_->Receive(envelope);
  if (std::holds_alternative<core::Active>(envelope.message)) {
    leds_.hal().HeartbeatReceived(SteadyNowMs());
  }
}

bool Agent::FromRemovedNode(const core::Envelope& envelope) {
  // A node `pifleet leave` removed while it was down comes back believing it votes. Its ballots
  // would preempt the leader, so only its catch-up requests are answered: from the log it
  // learns its own removal, and stays out. A removed leader still leads the slots its old
  // configuration governs (the window after the removal): until this node has applied them,
  // its accepts and decisions count, so it fills them and steps down itself.
  const core::NodeId sender = envelope.from;
  if (!core() || !state_machine().members().WasRemoved(sender) ||
      std::ranges::count(core()->membership().NodesFrom(core()->AppliedSlot() + 1), sender) != 0 ||
      std::holds_alternative<core::CatchupRequest>(envelope.message) ||
      std::holds_alternative<core::SnapshotChunkRequest>(envelope.message)) {
    return false;
  }
  log_->LogLimited("removed_sender", ticks_ * core::kTickMs, Level::kInfo,
                   "ignoring votes of a removed node; it is sent the log that removed it",
                   {{"NODE", std::to_string(sender)}});
  return true;
}

void Agent::SendToNode(const core::Envelope& envelope) {
  if (envelope.to == meta_.node_id) {
    // The local acceptor answers the local leader through the loop, never re-entrantly.
    asio::post(io_, [this, envelope] {
      if (!core()) return;
      driver_->Receive(envelope);
    });
    return;
  }
  if (auto address = peers_.AddressOf(envelope.to, state_machine().members())) {
    SendTo(*address, envelope);
  }
}

void Agent::SendTo(const net::UdpAddress& to, const wire::WireMessage& message) {
  const std::string bytes = wire::Encode(message);
  std::vector<std::vector<uint8_t>> plaintexts;
  const size_t plaintext_max = config_.datagram_bytes - wire::kSealOverheadBytes;
  if (Status status =
          wire::Fragment(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                         next_message_id_++, plaintext_max, &plaintexts);
      !status.ok()) {
    log_->LogLimited("send-too-large", ticks_ * core::kTickMs, Level::kError,
                     "message too large to send: " + status.message());
    return;
  }
  // A client is answered in the key it asked with (key_rotation.h); peers get the primary.
  const auto key_id =
      std::holds_alternative<wire::ClientReply>(message) ? keys_.ReplyKeyFor(to) : std::nullopt;
  std::vector<uint8_t> datagram;
  for (const auto& plaintext : plaintexts) {
    const Status sealed = key_id ? sealer_->SealWith(*key_id, plaintext, &datagram)
                                 : sealer_->Seal(plaintext, &datagram);
    if (!sealed.ok()) return;
    socket_.Send(to, datagram);
  }
}

}  // namespace pifleet::daemon
