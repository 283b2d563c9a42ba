// LAN discovery in the agent (discovery.h): the beacon socket, beacons sent while a member,
// and beacons heard handed to the Joiner while joining; plus the /metrics listener's and
// discovery's figures.
#include "agent/daemon/discovery.h"

#include <algorithm>

#include "agent/core/constants.h"
#include "agent/daemon/agent.h"
#include "agent/wire/beacon.h"

namespace pifleet::daemon {

Status CheckDiscoverGroup(const std::string& group) {
  net::Endpoint endpoint;
  if (Status status = net::ParseEndpoint(group, &endpoint); !status.ok()) {
    return Status::InvalidArgument("discover_group: " + status.message());
  }
  asio::error_code error;
  const asio::ip::address address = asio::ip::make_address(endpoint.host, error);
  if (error || !address.is_v4() || !address.is_multicast()) {
    return Status::InvalidArgument("discover_group " + group +
                                   " must be an IPv4 multicast address (224.0.0.0/4) and a port, "
                                   "such as 239.255.70.70:7170");
  }
  return Status::Ok();
}

Status Agent::StartDiscovery() {
  net::Endpoint endpoint;
  if (Status status = net::ParseEndpoint(config_.discover_group, &endpoint); !status.ok()) {
    return status;
  }
  const net::UdpAddress group(asio::ip::make_address(endpoint.host), endpoint.port);
  beacons_ = std::make_unique<net::BeaconSocket>(io_);
  if (Status status = beacons_->Open(group, config_.discover_broadcast); !status.ok()) {
    return status;
  }
  beacons_->StartReceiving([this](std::span<const uint8_t> datagram, const net::UdpAddress& from) {
    OnBeaconDatagram(datagram, from);
  });
  log_->Log(beacons_->multicast_joined() ? Level::kInfo : Level::kWarning,
            beacons_->multicast_joined()
                ? "discovery: listening for beacons"
                : "discovery: cannot join the multicast group; beacons go by broadcast only",
            {{"GROUP", config_.discover_group}});
  return Status::Ok();
}

void Agent::OnBeaconDatagram(std::span<const uint8_t> datagram, const net::UdpAddress& from) {
  wire::Opened opened;
  if (wire::DropReason reason = opener_->Open(datagram, &opened);
      reason != wire::DropReason::kNone) {
    return CountDrop(reason, from);  // another key or cluster: ignored, counted
  }
  if (opened.sender == meta_.node_id) return;  // our own beacon, looped back
  std::vector<uint8_t> bytes;
  wire::DropReason reason = wire::DropReason::kNone;
  switch (reassembler_.Add(opened.sender, opened.plaintext, ticks_, &bytes, &reason)) {
    case wire::Reassembler::Result::kPending:
      return;  // a beacon is never fragmented; the partial expires like any other
    case wire::Reassembler::Result::kDropped:
      ++decode_drops_[static_cast<size_t>(reason)];
      return CountDrop(reason, from);
    case wire::Reassembler::Result::kComplete:
      break;
  }
  wire::Beacon beacon;
  if (!wire::DecodeBeacon(bytes, &beacon) || beacon.node_id != opened.sender) {
    ++decode_drops_[static_cast<size_t>(wire::DropReason::kMalformed)];
    return CountDrop(wire::DropReason::kMalformed, from);
  }
  ++beacons_heard_;
  if (core()) return;  // already in the cluster: peers are reached through the members table
  const net::UdpAddress member(from.address(), beacon.port);
  if (!joiner_.AddDiscovered(member)) return;
  log_->Log(Level::kNotice, "discovery: found a member; joining through it",
            {{"ADDRESS", member.address().to_string() + ":" + std::to_string(member.port())},
             {"MEMBER", std::to_string(beacon.node_id)}});
  joiner_.SendJoinRequests();
}

void Agent::UpdateNetMetrics() {
  using T = Metrics::Type;
  keys_.AddMetrics(&metrics_);
  if (metrics_http_) {
    metrics_.Declare("pifleet_metrics_http_requests_total", T::kCounter,
                     "Requests answered by the /metrics listener.");
    metrics_.Set("pifleet_metrics_http_requests_total", {},
                 static_cast<double>(metrics_http_->requests()));
  }
  if (!beacons_) return;
  metrics_.Declare("pifleet_discovery_beacons_heard_total", T::kCounter,
                   "Authenticated beacons heard from other nodes.");
  metrics_.Set("pifleet_discovery_beacons_heard_total", {}, static_cast<double>(beacons_heard_));
  metrics_.Declare("pifleet_discovery_beacons_sent_total", T::kCounter, "Beacons sent, by path.");
  metrics_.Set("pifleet_discovery_beacons_sent_total", {{"via", "multicast"}},
               static_cast<double>(beacons_->multicast_sent()));
  metrics_.Set("pifleet_discovery_beacons_sent_total", {{"via", "broadcast"}},
               static_cast<double>(beacons_->broadcast_sent()));
  metrics_.Set("pifleet_discovery_beacons_sent_total", {{"via", "failed"}},
               static_cast<double>(beacons_->send_failures()));
}

uint64_t Agent::BeaconPeriodTicks() const {
  if (!beacons_ || !core() || !core()->membership().Latest().Contains(meta_.node_id)) return 0;
  return std::max<uint64_t>(1, config_.discover_interval_ms / core::kTickMs);
}

void Agent::SendBeaconIfDue() {
  const uint64_t period_ticks = BeaconPeriodTicks();
  if (period_ticks == 0 || ticks_ % period_ticks != 0) return;
  const std::string body = wire::EncodeBeacon({meta_.node_id, listen_address_.port()});
  std::vector<std::vector<uint8_t>> plaintexts;
  if (!wire::Fragment(std::span(reinterpret_cast<const uint8_t*>(body.data()), body.size()),
                      next_message_id_++, config_.datagram_bytes - wire::kSealOverheadBytes,
                      &plaintexts)
           .ok()) {
    return;
  }
  std::vector<uint8_t> datagram;
  for (const auto& plaintext : plaintexts) {
    if (!sealer_->Seal(plaintext, &datagram).ok()) return;
    beacons_->Send(datagram);
  }
}

}  // namespace pifleet::daemon
