#include "agent/daemon/cluster_settings.h"

#include "agent/sm/kv_txn.h"
#include "agent/wire/client_bodies.h"
#include "agent/wire/config_bodies.h"

namespace pifleet::daemon {
namespace {

std::string KeyOf(std::string_view name) {
  return std::string(sm::kSettingsPrefix) + std::string(name);
}

}  // namespace

ClusterSettings::ClusterSettings(AgentContext& context, ClientRequests& clients,
                                 const AgentConfig& own, uint64_t own_snapshot_every_slots,
                                 Tuners tuners)
    : context_(context),
      clients_(clients),
      own_{own.log_level, own.voters, own.discover_interval_ms, own_snapshot_every_slots},
      tuners_(std::move(tuners)),
      applied_(own_) {}

void ClusterSettings::HandleSet(const wire::ClientRequest& request, const net::UdpAddress& from) {
  wire::ConfigSetBody body;
  if (!wire::DecodeBody(request.payload, &body)) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "", "malformed config request");
  }
  if (request.session == 0) {
    return Reply(context_, from, request, wire::ReplyCode::kError, "",
                 "config commands need a session");
  }
  const std::string why = sm::CheckSettingChange(body.name, body.value, body.unset);
  if (!why.empty()) return Reply(context_, from, request, wire::ReplyCode::kError, "", why);
  // A transaction of one op, so that the answer carries the revision as `kv put` gives it.
  const wire::TxnOpBody op{body.unset ? wire::TxnOpBody::kDelete : wire::TxnOpBody::kPut,
                           KeyOf(body.name),
                           "",
                           body.unset ? "" : body.value,
                           0,
                           0};
  clients_.ProposeFor(request, from,
                      {request.session,
                       request.sequence,
                       core::CommandKind::kApp,
                       sm::EncodeKvTxn(wire::TxnRequestBody{{}, {op}, {}}),
                       {}});
}

void ClusterSettings::HandleList(const wire::ClientRequest& request, const net::UdpAddress& from) {
  const sm::KvStore& kv = context_.state_machine().kv();
  const sm::RuntimeSettings cluster = sm::ReadSettings(kv);
  const InEffect now = Compute(cluster);
  wire::ConfigListBody body;
  for (const sm::SettingSpec& spec : sm::SettingSpecs()) {
    wire::ConfigRow row{std::string(spec.name), "", false, 0, std::string(spec.allowed)};
    if (spec.name == "log_level") {
      row.value = now.log_level;
      row.from_cluster = cluster.log_level.has_value();
    } else if (spec.name == "voters") {
      row.value = std::to_string(now.voters);
      row.from_cluster = cluster.voters.has_value();
    } else if (spec.name == "discover_interval_ms") {
      row.value = std::to_string(now.discover_interval_ms);
      row.from_cluster = cluster.discover_interval_ms.has_value();
    } else if (spec.name == "snapshot_every_slots") {
      row.value = std::to_string(now.snapshot_every_slots);
      row.from_cluster = cluster.snapshot_every_slots.has_value();
    }
    if (row.from_cluster) row.mod_revision = kv.FindRow(KeyOf(spec.name))->mod_revision;
    body.rows.push_back(std::move(row));
  }
  Reply(context_, from, request, wire::ReplyCode::kOk, wire::EncodeBody(body));
}

ClusterSettings::InEffect ClusterSettings::Compute(const sm::RuntimeSettings& cluster) const {
  return {cluster.log_level.value_or(own_.log_level), cluster.voters.value_or(own_.voters),
          cluster.discover_interval_ms.value_or(own_.discover_interval_ms),
          cluster.snapshot_every_slots.value_or(own_.snapshot_every_slots)};
}

void ClusterSettings::OnApplied(const sm::KvStore& kv) {
  // A command that is not a kv mutation leaves the revision, and last_events() is older.
  if (kv.revision() == seen_revision_) return;
  seen_revision_ = kv.revision();
  if (sm::ChangedSettings(kv.last_events())) Refresh();
}

void ClusterSettings::Refresh() {
  const sm::KvStore& kv = context_.state_machine().kv();
  seen_revision_ = kv.revision();
  const sm::RuntimeSettings cluster = sm::ReadSettings(kv);
  const InEffect next = Compute(cluster);
  const auto changed = [&](auto field, std::string_view name, const std::string& text) {
    if (refreshed_ && applied_.*field == next.*field) return false;
    if (!refreshed_ && own_.*field == next.*field) return true;  // tuned, nothing to say
    context_.logger().Log(Level::kNotice, "runtime setting in effect",
                          {{"SETTING", std::string(name)}, {"VALUE", text}});
    return true;
  };
  if (changed(&InEffect::log_level, "log_level", next.log_level)) {
    if (auto level = LevelFromName(next.log_level)) tuners_.log_level(*level);
  }
  // Whether the count may shrink depends on where it comes from, even when it stays the same.
  if (changed(&InEffect::voters, "voters", std::to_string(next.voters)) ||
      cluster.voters.has_value() != voters_from_cluster_) {
    voters_from_cluster_ = cluster.voters.has_value();
    tuners_.voters(next.voters, voters_from_cluster_);
  }
  if (changed(&InEffect::discover_interval_ms, "discover_interval_ms",
              std::to_string(next.discover_interval_ms))) {
    tuners_.discover_interval_ms(next.discover_interval_ms);
  }
  if (changed(&InEffect::snapshot_every_slots, "snapshot_every_slots",
              std::to_string(next.snapshot_every_slots))) {
    tuners_.snapshot_every_slots(next.snapshot_every_slots);
  }
  applied_ = next;
  refreshed_ = true;
}

}  // namespace pifleet::daemon
