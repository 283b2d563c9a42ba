// Agent start-up: data dir, keys, node.meta, WAL recovery, socket, and the Seed / Bootstrap
// choice (seed a new cluster, rejoin from cluster.meta, or join through --join).
#include <sys/stat.h>

#include <cstdio>

#include "agent/base/hash.h"
#include "agent/base/random.h"
#include "agent/base/version.h"
#include "agent/daemon/agent.h"
#include "agent/daemon/cluster_file.h"
#include "agent/store/core_log.h"

namespace pifleet::daemon {

uint64_t ClusterIdFor(const std::string& cluster_name) {
  // The basis the first builds used (FNV-1a's with its last digit missing): a cluster keeps
  // its id, so a data dir of an older build is refused for its format version, not its cluster.
  constexpr uint64_t kClusterIdBasis = 1469598103934665603ull;
  const uint64_t hash = Fnv1a(kClusterIdBasis).Add(cluster_name).value();
  return hash == 0 ? 1 : hash;
}

Agent::Agent(AgentConfig config, Logger* logger, store::Env* env)
    : config_(std::move(config)),
      log_(logger),
      env_(env),
      hal_(config_.sysroot, config_.leds, logger) {
  if (config_.key_file.empty()) config_.key_file = config_.data_dir + "/cluster.key";
}

Agent::~Agent() {
  snapshot_writer_.reset();  // joins the threads before the driver and the WAL go
  wal_worker_.reset();
  driver_.reset();
}

Status Agent::Open() {
  if (Status status = ValidateConfig(config_); !status.ok()) return status;
  // Addresses first: a name that does not resolve leaves the data dir untouched.
  net::Endpoint listen;
  if (Status status = net::ParseEndpoint(config_.listen, &listen); !status.ok()) return status;
  if (Status status = net::Resolve(io_, listen, &listen_address_); !status.ok()) return status;
  for (const std::string& text : config_.join) {
    net::Endpoint endpoint;
    net::UdpAddress address;
    if (Status status = net::ParseEndpoint(text, &endpoint); !status.ok()) return status;
    if (Status status = net::Resolve(io_, endpoint, &address); !status.ok()) return status;
    join_addresses_.push_back(address);
  }
  hal_.Open(SteadyNowMs());  // the status LED shows booting while the WAL is read
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
  if (Status status = LoadKeys(); !status.ok()) return status;
  if (Status status = LoadNodeMeta(); !status.ok()) return status;

  if (Status status = socket_.Open(listen_address_); !status.ok()) return status;

  if (config_.discover) {
    if (Status status = StartDiscovery(); !status.ok()) return status;
  }
  if (!config_.metrics_listen.empty()) {
    metrics_http_ = std::make_unique<MetricsHttpServer>(io_, log_, [this] {
      UpdateMetrics();
      return metrics_.Render();
    });
    // Not fatal: a node without /metrics still serves the cluster; `pifleet metrics` works.
    if (Status status = metrics_http_->Open(config_.metrics_listen); !status.ok()) {
      log_->Log(Level::kError, status.message() + "; running without the /metrics listener");
      metrics_http_.reset();
    }
  }

  if (Status status = OpenWal(&durable_); !status.ok()) return status;

  if (env_->FileExists(store::JoinPath(config_.data_dir, kRemovedFileName))) {
    was_member_ = removed_recorded_ = true;
    log_->Log(Level::kWarning,
              "this node was removed from the cluster and will not rejoin; start it with an empty "
              "data dir to join as a new node",
              {{"FILE", store::JoinPath(config_.data_dir, kRemovedFileName)}});
  }
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
  } else if (join_addresses_.empty() && !config_.discover) {
    return Status::InvalidArgument(
        "this node is in no cluster yet: start the first node with --seed and the others with "
        "--join ADDRESS or --discover");
  }
  internal_client_id_ = RandomU64();
  internal_session_.emplace(RandomU64());
  StartJobWorker();
  return Status::Ok();
}

Status Agent::LoadKeys() {
  bool loaded = false;
  if (Status status = LoadPersistedKeyring(&loaded); !status.ok() || loaded) return status;
  std::string text;
  if (Status status = store::ReadFileToString(env_, config_.key_file, &text); !status.ok()) {
    return Status::InvalidArgument(
        "cannot read the cluster key " + config_.key_file +
        " (create one with: pifleet keygen > cluster.key): " + status.message());
  }
  // As ssh does with private keys: a key others can read may be known to them already.
  struct stat st {};
  if (stat(config_.key_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::IOError("the cluster key file " + config_.key_file + " has mode " + mode +
                           ": others may read it; chmod 600 it (and consider "
                           "the key leaked if others could log in)");
  }
  wire::KeyBytes key;
  if (Status status = wire::ParseKey(text, &key); !status.ok()) {
    return Status::InvalidArgument(config_.key_file + ": " + status.message());
  }
  if (Status status = keyring_.Install(key); !status.ok()) return status;
  return SaveKeyring();
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
  sealer_ =
      std::make_unique<wire::Sealer>(&keyring_, meta_.cluster_id, meta_.node_id, meta_.boot_epoch);
  opener_ = std::make_unique<wire::Opener>(&keyring_, meta_.cluster_id, wire::kDatagramBytesMax);
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
      [this](Status synced) { asio::post(io_, [this, synced] { driver_->OnSynced(synced); }); },
      [this](core::Slot below_slot, Status compacted, size_t removed) {
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
  log_->Log(Level::kInfo, "consensus core started",
            {{"VOTERS", std::to_string(initial.voters.size())}});
}

}  // namespace pifleet::daemon
