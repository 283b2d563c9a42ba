// Agent start-up: the parts wired, data dir, keys, node.meta, WAL recovery, sockets, and the
// choice of cluster (seed a new one, rejoin from cluster.meta, or join through --join).
#include "agent/base/hash.h"
#include "agent/base/random.h"
#include "agent/base/version.h"
#include "agent/daemon/agent.h"
#include "agent/daemon/cluster_file.h"
#include "agent/store/core_log.h"

namespace pifleet::daemon {
namespace {

AgentConfig WithDefaults(AgentConfig config) {
  if (config.key_file.empty()) config.key_file = config.data_dir + "/cluster.key";
  return config;
}

}  // namespace

uint64_t ClusterIdFor(const std::string& cluster_name) {
  // The basis the first builds used (FNV-1a's with its last digit missing): a cluster keeps
  // its id, so a data dir of an older build is refused for its format version, not its cluster.
  constexpr uint64_t kClusterIdBasis = 1469598103934665603ull;
  const uint64_t hash = Fnv1a(kClusterIdBasis).Add(cluster_name).value();
  return hash == 0 ? 1 : hash;
}

Agent::Agent(AgentConfig config, Logger* logger, store::Env* env)
    : config_(WithDefaults(std::move(config))),
      log_(logger),
      env_(env),
      own_(*this),
      clients_(*this),
      autopilot_(*this, peers_, own_,
                 {config_.voters, env, config_.data_dir, [this] { return SelfMember(); }}),
      joiner_(*this, peers_, own_, autopilot_,
              {config_.cluster, config_.key_file, [this] { return SelfMember(); }}),
      keys_(*this, own_, clients_, {env, config_.data_dir, config_.key_file}),
      leds_(*this, peers_, config_.sysroot, config_.leds, logger),
      leases_(*this, clients_, own_),
      jobs_(*this, clients_, own_),
      settings_(
          *this, clients_, config_, node::kSnapshotEverySlots,
          {.log_level = [this](Level level) { log_->set_threshold(level); },
           .voters = [this](uint32_t voters,
                            bool from_cluster) { autopilot_.set_voters(voters, from_cluster); },
           .discover_interval_ms = [this](uint32_t ms) { config_.discover_interval_ms = ms; },
           .snapshot_every_slots =
               [this](uint64_t slots) { driver_->set_snapshot_every_slots(slots); }}) {}

Agent::~Agent() {
  snapshot_writer_.reset();  // joins the threads before the driver and the WAL go
  wal_worker_.reset();
  driver_.reset();
}

Status Agent::Open() {
  if (Status status = ValidateConfig(config_); !status.ok()) return status;
  // Addresses first: a name that does not resolve leaves the data dir untouched.
  if (Status status = ResolveAddresses(); !status.ok()) return status;
  leds_.hal().Open(SteadyNowMs());  // the status LED shows booting while the WAL is read
  if (Status status = env_->CreateDir(config_.data_dir); !status.ok()) {
    return Status::IOError("cannot create data dir " + config_.data_dir + ": " + status.message());
  }
  // One agent per data dir, before anything in it is read or written.
  if (Status status = store::LockDataDir(env_, config_.data_dir, &data_dir_lock_); !status.ok()) {
    return status;
  }
  if (config_.unsafe_no_fsync) {
    log_->Log(Level::kWarning,
              "UNSAFE: --unsafe-no-fsync is on; acknowledged writes can be lost on power loss. "
              "Use it for benchmarks only.");
  }
  if (Status status = keys_.Load(); !status.ok()) return status;
  if (Status status = LoadNodeMeta(); !status.ok()) return status;
  if (Status status = OpenListeners(); !status.ok()) return status;
  if (Status status = OpenWal(&durable_); !status.ok()) return status;
  if (env_->FileExists(store::JoinPath(config_.data_dir, kRemovedFileName))) {
    autopilot_.MarkRemovedAtStart();
    log_->Log(Level::kWarning,
              "this node was removed from the cluster and will not rejoin; start it with an empty "
              "data dir to join as a new node",
              {{"FILE", store::JoinPath(config_.data_dir, kRemovedFileName)}});
  }
  if (Status status = ChooseCluster(); !status.ok()) return status;
  jobs_.Start(io_, config_);
  return Status::Ok();
}

Status Agent::ResolveAddresses() {
  net::Endpoint listen;
  if (Status status = net::ParseEndpoint(config_.listen, &listen); !status.ok()) return status;
  if (Status status = net::Resolve(io_, listen, &listen_address_); !status.ok()) return status;
  for (const std::string& text : config_.join) {
    net::Endpoint endpoint;
    net::UdpAddress address;
    if (Status status = net::ParseEndpoint(text, &endpoint); !status.ok()) return status;
    if (Status status = net::Resolve(io_, endpoint, &address); !status.ok()) return status;
    joiner_.AddAddress(address);
  }
  return Status::Ok();
}

Status Agent::OpenListeners() {
  if (Status status = socket_.Open(listen_address_); !status.ok()) return status;
  if (config_.discover) {
    if (Status status = StartDiscovery(); !status.ok()) return status;
  }
  if (!config_.metrics_listen.empty()) {
    metrics_http_ = std::make_unique<MetricsHttpServer>(
        io_, log_, [this](HttpResource resource) { return RenderHttp(resource); });
    // Not fatal: a node without /metrics still serves the cluster; `pifleet metrics` works.
    if (Status status = metrics_http_->Open(config_.metrics_listen); !status.ok()) {
      log_->Log(Level::kError, status.message() + "; running without the /metrics listener");
      metrics_http_.reset();
    }
  }
  return Status::Ok();
}

Status Agent::ChooseCluster() {
  core::Config initial;
  Status cluster = ReadClusterFile(env_, config_.data_dir, &initial);
  if (cluster.ok()) {
    StartCore(initial, durable_);
  } else if (cluster.code() != Status::Code::kNotFound) {
    return cluster;
  } else if (config_.seed) {
    initial.voters = {meta_.node_id};
    if (Status status = WriteClusterFile(env_, config_.data_dir, initial); !status.ok()) {
      return status;
    }
    log_->Log(Level::kNotice, "seeded a new cluster", {{"CLUSTER", config_.cluster}});
    StartCore(initial, durable_);
  } else if (!joiner_.has_addresses() && !config_.discover) {
    return Status::InvalidArgument(
        "this node is in no cluster yet: start the first node with --seed and the others with "
        "--join ADDRESS or --discover");
  }
  return Status::Ok();
}

Status Agent::LoadNodeMeta() {
  Status status = store::ReadNodeMeta(env_, config_.data_dir, &meta_);
  const uint64_t cluster_id = ClusterIdFor(config_.cluster);
  if (status.code() == Status::Code::kNotFound) {
    meta_ = store::NodeMeta{RandomU64(), cluster_id, 0};
    status = store::WriteNodeMeta(env_, config_.data_dir, meta_);
  }
  if (!status.ok()) return status;
  if (meta_.cluster_id != cluster_id) {
    return Status::InvalidArgument("data dir " + config_.data_dir +
                                   " belongs to another cluster than '" + config_.cluster + "'");
  }
  // The epoch is durable before the first datagram: no (subkey, counter) pair is ever reused.
  if (Status bumped = store::BumpEpoch(env_, config_.data_dir, &meta_); !bumped.ok()) return bumped;
  joiner_.set_boot_epoch(meta_.boot_epoch);
  sealer_ = std::make_unique<wire::Sealer>(keys_.keyring(), meta_.cluster_id, meta_.node_id,
                                           meta_.boot_epoch);
  opener_ =
      std::make_unique<wire::Opener>(keys_.keyring(), meta_.cluster_id, wire::kDatagramBytesMax);
  log_->Log(Level::kInfo, "node identity",
            {{"NODE_ID", std::to_string(meta_.node_id)},
             {"EPOCH", std::to_string(meta_.boot_epoch)},
             {"VERSION", build_info().version}});
  return Status::Ok();
}

Status Agent::OpenWal(core::DurableState* durable) {
  store::CoreRecovery recovery;
  Status status = store::RecoverCore(env_, config_.data_dir, {.node_id = meta_.node_id}, &recovery);
  if (status.code() == Status::Code::kCorruption) {
    return Status::Corruption(status.message() +
                              "; refusing to start (run `pifleet repair --data-dir " +
                              config_.data_dir + "`; see docs/storage.md)");
  }
  if (!status.ok()) return status;
  *durable = std::move(recovery.durable);
  restored_snapshot_ = std::move(recovery.snapshot);
  wal_ = std::move(recovery.wal);
  log_->Log(recovery.report.torn_tail ? Level::kWarning : Level::kInfo,
            recovery.report.ToString() +
                (restored_snapshot_ ? "; snapshot at slot " + std::to_string(recovery.snapshot_slot)
                                    : "") +
                (recovery.snapshot_temp_files_removed > 0
                     ? "; removed " + std::to_string(recovery.snapshot_temp_files_removed) +
                           " snapshot temp file(s) a crash left"
                     : ""));
  wal_worker_ = std::make_unique<WalWorker>(
      wal_.get(),
      [this](const Status& synced) {
        asio::post(io_, [this, synced] { driver_->OnSynced(synced); });
      },
      [this](core::Slot below_slot, const Status& compacted, size_t removed) {
        asio::post(io_, [this, below_slot, compacted, removed] {
          driver_->OnCompacted(below_slot, compacted, removed);
        });
      });
  snapshot_writer_ = std::make_unique<SnapshotWriter>(env_, config_.data_dir, [this] {
    asio::post(io_, [this] { driver_->OnSnapshotsStored(); });
  });
  node::DriverOptions options;
  options.unsafe_no_fsync = config_.unsafe_no_fsync;
  driver_ = std::make_unique<node::NodeDriver>(
      options, node::Seams{wal_.get(), this, wal_worker_.get(), snapshot_writer_.get(), this});
  return Status::Ok();
}

void Agent::StartCore(const core::Config& initial, const core::DurableState& durable) {
  core::CoreOptions options;
  options.id = meta_.node_id;
  options.initial_config = initial;
  options.seed = RandomU64();
  driver_->Start(options, durable, restored_snapshot_);
  initial_config_ = initial;
  settings_.Refresh();  // the settings the WAL and the snapshot hold
  log_->Log(Level::kInfo, "consensus core started",
            {{"VOTERS", std::to_string(initial.voters.size())}});
}

}  // namespace pifleet::daemon
