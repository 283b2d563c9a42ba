// Agent start-up: data dir, keys, node.meta, WAL recovery, socket, and the Seed / Bootstrap
// choice (seed a new cluster, rejoin from cluster.meta, or join through --join).
#include <sys/random.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "agent/base/version.h"
#include "agent/daemon/agent.h"
#include "agent/daemon/cluster_file.h"
#include "agent/store/core_log.h"
#include "agent/store/posix_env.h"

namespace pifleet::daemon {
namespace {

uint64_t RandomU64() {
  uint64_t value = 0;
  while (value == 0) {
    if (getrandom(&value, sizeof(value), 0) != sizeof(value)) value = 0;
  }
  return value;
}

}  // namespace

uint64_t ClusterIdFor(const std::string& cluster_name) {
  uint64_t hash = 1469598103934665603ull;
  for (char c : cluster_name) hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return hash == 0 ? 1 : hash;
}

Agent::Agent(AgentConfig config, Logger* logger)
    : config_(std::move(config)), log_(logger), hal_(config_.sysroot, config_.leds, logger) {
  if (config_.key_file.empty()) config_.key_file = config_.data_dir + "/cluster.key";
}

Agent::~Agent() {
  snapshot_writer_.reset();  // joins the threads before the WAL goes
  sync_worker_.reset();
}

Status Agent::Open() {
  if (Status status = ValidateConfig(config_); !status.ok()) return status;
  hal_.Open(SteadyNowMs());  // the status LED shows booting while the WAL is read
  if (mkdir(config_.data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create data dir " + config_.data_dir + ": " +
                           std::strerror(errno));
  }
  if (config_.unsafe_no_fsync) {
    log_->Log(Level::kWarning,
              "UNSAFE: --unsafe-no-fsync is on; acknowledged writes can be lost on power loss. "
              "Use it for benchmarks only.");
  }
  if (Status status = LoadKeys(); !status.ok()) return status;
  if (Status status = LoadNodeMeta(); !status.ok()) return status;

  net::Endpoint listen;
  if (Status status = net::ParseEndpoint(config_.listen, &listen); !status.ok()) return status;
  if (Status status = net::Resolve(io_, listen, &listen_address_); !status.ok()) return status;
  if (Status status = socket_.Open(listen_address_); !status.ok()) return status;
  for (const std::string& text : config_.join) {
    net::Endpoint endpoint;
    net::UdpAddress address;
    if (Status status = net::ParseEndpoint(text, &endpoint); !status.ok()) return status;
    if (Status status = net::Resolve(io_, endpoint, &address); !status.ok()) return status;
    join_addresses_.push_back(address);
  }

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

  if (store::PosixEnv()->FileExists(store::JoinPath(config_.data_dir, kRemovedFileName))) {
    was_member_ = removed_recorded_ = true;
    log_->Log(Level::kWarning,
              "this node was removed from the cluster and will not rejoin; start it with an empty "
              "data dir to join as a new node",
              {{"FILE", store::JoinPath(config_.data_dir, kRemovedFileName)}});
  }
  core::Config initial;
  Status cluster = ReadClusterFile(store::PosixEnv(), config_.data_dir, &initial);
  if (cluster.ok()) {
    StartCore(initial, durable_);
  } else if (cluster.code() != Status::Code::kNotFound) {
    return cluster;
  } else if (config_.seed) {
    initial.voters = {meta_.node_id};
    if (Status status = WriteClusterFile(store::PosixEnv(), config_.data_dir, initial);
        !status.ok()) {
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
  return Status::Ok();
}

Status Agent::LoadKeys() {
  bool loaded = false;
  if (Status status = LoadPersistedKeyring(&loaded); !status.ok() || loaded) return status;
  std::string text;
  if (Status status = store::ReadFileToString(store::PosixEnv(), config_.key_file, &text);
      !status.ok()) {
    return Status::InvalidArgument(
        "cannot read the cluster key " + config_.key_file +
        " (create one with: pifleet keygen > cluster.key): " + status.message());
  }
  struct stat st {};
  if (stat(config_.key_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    log_->Log(Level::kWarning, "the cluster key file is readable by others; chmod 600 it",
              {{"PATH", config_.key_file}});
  }
  wire::KeyBytes key;
  if (Status status = wire::ParseKey(text, &key); !status.ok()) {
    return Status::InvalidArgument(config_.key_file + ": " + status.message());
  }
  if (Status status = keyring_.Install(key); !status.ok()) return status;
  return SaveKeyring();
}

Status Agent::LoadNodeMeta() {
  store::Env* env = store::PosixEnv();
  Status status = store::ReadNodeMeta(env, config_.data_dir, &meta_);
  const uint64_t cluster_id = ClusterIdFor(config_.cluster);
  if (status.code() == Status::Code::kNotFound) {
    meta_ = store::NodeMeta{RandomU64(), cluster_id, 0};
    status = store::WriteNodeMeta(env, config_.data_dir, meta_);
  }
  if (!status.ok()) return status;
  if (meta_.cluster_id != cluster_id) {
    return Status::InvalidArgument("data dir " + config_.data_dir +
                                   " belongs to another cluster than '" + config_.cluster + "'");
  }
  // The epoch is durable before the first datagram: no (subkey, counter) pair is ever reused.
  if (Status bumped = store::BumpEpoch(env, config_.data_dir, &meta_); !bumped.ok()) return bumped;
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
  Status status = store::RecoverCore(store::PosixEnv(), config_.data_dir, {}, &recovery);
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
  sync_worker_ = std::make_unique<SyncWorker>(
      wal_.get(), [this](Status synced) { asio::post(io_, [this, synced] { OnSynced(synced); }); });
  snapshot_writer_ = std::make_unique<SnapshotWriter>(store::PosixEnv(), config_.data_dir, [this] {
    asio::post(io_, [this] { OnSnapshotsWritten(); });
  });
  return Status::Ok();
}

void Agent::StartCore(const core::Config& initial, const core::DurableState& durable) {
  core::CoreOptions options;
  options.id = meta_.node_id;
  options.initial_config = initial;
  options.seed = RandomU64();
  core_ = std::make_unique<core::Core>(options, durable, restored_snapshot_);
  core_->SetDiskFull(disk_state_.disk_full());  // a joiner's core may start during an episode
  initial_config_ = initial;
  log_->Log(Level::kInfo, "consensus core started",
            {{"VOTERS", std::to_string(initial.voters.size())}});
}

}  // namespace pifleet::daemon
