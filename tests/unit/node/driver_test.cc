// The node driver (agent/node/driver.h) around a one-voter core on the fault-injecting disk, with
// seams the test completes by hand: replies that vouch for records leave only once the WAL is
// synced past them; one sync is outstanding at a time; a full disk stops the votes and is retried
// every disk_full_retry_ticks; a snapshot's marker is appended only once its file is stored and
// compaction is asked for once the marker is durable; a snapshot the state machine cannot take is
// fatal and nothing after it is applied; applied decisions wait for the next needed sync (or
// kLazySyncTicks); a snapshot waits until the commands since the last one add up to its size.
#include "agent/node/driver.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/snapshot.h"
#include "agent/sm/kv_op.h"
#include "agent/sm/session_commands.h"
#include "agent/store/core_log.h"
#include "agent/store/fault_env.h"

namespace pifleet::node {
namespace {

constexpr char kDir[] = "/data";
constexpr core::NodeId kSelf = 1;
constexpr int kTicksMax = 2000;  // bounds every wait below

class FakeSeams : public Transport, public WalExecutor, public SnapshotStore, public NodeEvents {
 public:
  void Send(const core::Envelope& envelope) override { sent.push_back(envelope); }
  void RequestSync() override { ++sync_requests; }
  void RequestCompact(core::Slot below_slot) override { compact_requests.push_back(below_slot); }
  std::optional<core::Slot> Submit(SnapshotJob job) override {
    jobs.push_back(std::move(job));
    return std::nullopt;
  }
  std::vector<SnapshotResult> TakeFinished() override { return std::exchange(finished, {}); }
  void Prepare(std::shared_ptr<std::string> buffer, uint64_t bytes) override {
    prepared.emplace_back(buffer.get(), bytes);
  }
  void OnFatal(const Status& status) override { fatal.push_back(status.ToString()); }
  void OnProblem(Problem problem, const Status& status) override {
    (void)problem;
    problems.push_back(status.ToString());
  }
  void OnDiskFullChanged(bool full, const Status& status) override {
    (void)status;
    disk_changes.push_back(full);
  }
  void OnCommandApplied(core::Slot slot, const core::Command& command,
                        const sm::KvResult& result) override {
    (void)command, (void)result;
    applied_slots.push_back(slot);
  }

  std::vector<core::Envelope> sent;
  int sync_requests = 0;
  std::vector<core::Slot> compact_requests;
  std::vector<SnapshotJob> jobs;
  std::vector<SnapshotResult> finished;
  std::vector<std::pair<const std::string*, uint64_t>> prepared;  // buffer, bytes
  std::vector<std::string> fatal;
  std::vector<std::string> problems;
  std::vector<bool> disk_changes;
  std::vector<core::Slot> applied_slots;
};

template <typename T>
size_t CountSent(const std::vector<core::Envelope>& sent) {
  size_t count = 0;
  for (const core::Envelope& envelope : sent) count += std::holds_alternative<T>(envelope.message);
  return count;
}

class DriverTest : public ::testing::Test {
 protected:
  void Open(const DriverOptions& options) {
    store::CoreRecovery recovery;
    ASSERT_TRUE(store::RecoverCore(&env_, kDir, {}, &recovery).ok());
    wal_ = std::move(recovery.wal);
    driver_ = std::make_unique<NodeDriver>(options,
                                           Seams{wal_.get(), &seams_, &seams_, &seams_, &seams_});
  }
  void Start(std::shared_ptr<const std::string> snapshot = nullptr) {
    core::CoreOptions options;
    options.id = kSelf;
    options.initial_config.voters = {kSelf};
    options.seed = 7;
    driver_->Start(options, core::DurableState{}, std::move(snapshot));
  }
  // Opens and starts a one-voter node and runs it until it leads.
  void StartLeader(const DriverOptions& options) {
    Open(options);
    Start();
    ASSERT_TRUE(RunUntil([&] { return driver_->core()->IsLeader(); }));
  }
  // Delivers the messages the node sent itself, as the agent's loop does later.
  void DeliverToSelf() {
    std::vector<core::Envelope> sent = std::exchange(seams_.sent, {});
    for (const core::Envelope& envelope : sent) {
      if (envelope.to == kSelf) driver_->Receive(envelope);
    }
  }
  // Completes the outstanding sync (if any) the way a WalExecutor does.
  void CompleteSync() {
    if (seams_.sync_requests == 0) return;
    --seams_.sync_requests;
    driver_->OnSynced(wal_->Sync());
  }
  // Runs ticks, self-delivery and syncs until `done` or kTicksMax ticks.
  template <typename Done>
  bool RunUntil(Done done) {
    for (int i = 0; i < kTicksMax && !done(); ++i) {
      driver_->Tick();
      DeliverToSelf();
      CompleteSync();
      DeliverToSelf();
    }
    return done();
  }
  // Registers client session 1 through the log (the state machine applies only a registered
  // session's commands) and runs until it is applied.
  bool RegisterClient() {
    const core::Command registration{
        0,
        0,
        core::CommandKind::kApp,
        sm::EncodeSessionCommand({sm::SessionCommandKind::kRegister, 1000, 0}),
        {}};
    if (!driver_->Propose(registration).ok() ||
        !RunUntil([&] { return driver_->state_machine().sessions().size() == 1; })) {
      return false;
    }
    while (seams_.sync_requests > 0) {  // no sync left outstanding: the tests count their own
      CompleteSync();
      DeliverToSelf();
    }
    return true;
  }

  core::Command Put(uint64_t sequence, std::string key = "k", std::string value = "") {
    if (value.empty()) value = std::to_string(sequence);
    return core::Command{1,
                         sequence,
                         core::CommandKind::kApp,
                         sm::EncodeKvOp({sm::KvKind::kPut, key, value, ""}),
                         {}};
  }

  store::FaultEnv env_{1};
  FakeSeams seams_;
  std::unique_ptr<store::Wal> wal_;
  std::unique_ptr<NodeDriver> driver_;
};

TEST_F(DriverTest, PromiseLeavesOnlyOnceItsRecordIsSynced) {
  Open({});
  Start();
  // Campaign: the node sends itself a Prepare; its acceptor's Promise is held until the sync.
  for (int i = 0; i < kTicksMax && CountSent<core::Prepare>(seams_.sent) == 0; ++i) {
    driver_->Tick();
  }
  ASSERT_EQ(CountSent<core::Prepare>(seams_.sent), 1u);
  DeliverToSelf();
  EXPECT_EQ(CountSent<core::Promise>(seams_.sent), 0u) << "a promise left before its fsync";
  EXPECT_EQ(driver_->held_messages(), 1u);
  ASSERT_EQ(seams_.sync_requests, 1);
  CompleteSync();
  EXPECT_EQ(CountSent<core::Promise>(seams_.sent), 1u);
  EXPECT_EQ(driver_->held_messages(), 0u);
}

TEST_F(DriverTest, OneSyncOutstandingCoversEverythingAppended) {
  ASSERT_NO_FATAL_FAILURE(StartLeader({}));
  ASSERT_TRUE(RegisterClient());
  DeliverToSelf();
  seams_.sync_requests = 0;
  for (uint64_t seq = 1; seq <= 5; ++seq) ASSERT_TRUE(driver_->Propose(Put(seq)).ok());
  for (int i = 0; i < 5; ++i) DeliverToSelf();
  EXPECT_LE(seams_.sync_requests, 1) << "a second sync was asked for while one was outstanding";
  ASSERT_TRUE(RunUntil([&] {
    return seams_.applied_slots.size() >= 1 &&
           driver_->core()->AppliedSlot() >= seams_.applied_slots.back() &&
           driver_->state_machine().kv().Read("k") == "5";
  }));
}

TEST_F(DriverTest, FullDiskStopsVotesAndIsRetriedEveryRetryTicks) {
  DriverOptions options;
  options.disk_full_retry_ticks = 10;
  ASSERT_NO_FATAL_FAILURE(StartLeader(options));
  ASSERT_TRUE(RegisterClient());
  seams_.sync_requests = 0;
  env_.SetSpaceLimitBytes(env_.used_bytes());
  ASSERT_TRUE(driver_->Propose(Put(1)).ok());
  for (int i = 0; i < 5; ++i) DeliverToSelf();
  ASSERT_EQ(seams_.sync_requests, 1);
  CompleteSync();
  ASSERT_TRUE(driver_->disk_full());
  ASSERT_EQ(seams_.disk_changes, std::vector<bool>{true});
  // No retry before the retry interval, one once it has passed.
  for (int i = 0; i < 5; ++i) driver_->Tick();
  EXPECT_EQ(seams_.sync_requests, 0);
  for (int i = 0; i < 10; ++i) driver_->Tick();
  EXPECT_EQ(seams_.sync_requests, 1);
  env_.SetSpaceLimitBytes(UINT64_MAX);
  ASSERT_TRUE(RunUntil([&] { return driver_->state_machine().kv().Read("k") == "1"; }));
  EXPECT_FALSE(driver_->disk_full());
  EXPECT_EQ(seams_.disk_changes, (std::vector<bool>{true, false}));
  EXPECT_EQ(driver_->disk_full_events(), 1u);
}

TEST_F(DriverTest, MarkerWaitsForTheFileAndCompactionForTheMarker) {
  DriverOptions options;
  options.snapshot_every_slots = 3;
  Open(options);
  Start();
  uint64_t seq = 0;
  ASSERT_TRUE(RunUntil([&] {
    if (driver_->core()->IsLeader() && seams_.jobs.empty()) (void)driver_->Propose(Put(++seq));
    return !seams_.jobs.empty();
  }));
  const SnapshotJob job = seams_.jobs.front();
  ASSERT_TRUE(job.marker.has_value());
  // Until the file is stored, no sync is asked for and no compaction.
  ASSERT_TRUE(RunUntil([&] { return seams_.sync_requests == 0; }));
  EXPECT_TRUE(seams_.compact_requests.empty());
  SnapshotResult result{job.save.slot, job.save.blob->size(), job.marker,
                        store::SaveCoreSnapshot(&env_, kDir, job.save), 0};
  ASSERT_TRUE(result.status.ok());
  seams_.finished.push_back(result);
  driver_->OnSnapshotsStored();
  ASSERT_EQ(seams_.sync_requests, 1) << "the marker must be synced";
  EXPECT_TRUE(seams_.compact_requests.empty()) << "compaction before the marker is durable";
  CompleteSync();
  ASSERT_EQ(seams_.compact_requests, std::vector<core::Slot>{job.save.slot});
  size_t removed = 0;
  driver_->OnCompacted(job.save.slot, wal_->Compact(job.save.slot, &removed), removed);
  EXPECT_TRUE(seams_.problems.empty());
}

TEST_F(DriverTest, DecisionsAloneAreSyncedLazily) {
  ASSERT_NO_FATAL_FAILURE(StartLeader({}));
  ASSERT_TRUE(RegisterClient());
  seams_.sync_requests = 0;
  ASSERT_TRUE(driver_->Propose(Put(1)).ok());
  // The accept is synced at once; the decision it leads to is appended after that sync.
  for (int i = 0; i < 5 && driver_->state_machine().kv().Read("k") != "1"; ++i) {
    DeliverToSelf();
    CompleteSync();
  }
  ASSERT_EQ(driver_->state_machine().kv().Read("k"), "1");
  DeliverToSelf();
  ASSERT_GT(wal_->last_lsn(), wal_->synced_lsn()) << "the decision record was not appended";
  EXPECT_EQ(seams_.sync_requests, 0) << "a decision alone asked for a sync";
  EXPECT_EQ(driver_->TicksUntilDue(), kLazySyncTicks);
  for (uint64_t i = 1; i < kLazySyncTicks; ++i) driver_->Tick();
  EXPECT_EQ(seams_.sync_requests, 0);
  driver_->Tick();
  ASSERT_EQ(seams_.sync_requests, 1) << "the lazy deadline passed without a sync";
  CompleteSync();
  EXPECT_EQ(wal_->synced_lsn(), wal_->last_lsn());
  EXPECT_EQ(driver_->TicksUntilDue(), UINT64_MAX);
}

TEST_F(DriverTest, SnapshotsWaitForAsManyLogBytesAsTheStateHolds) {
  DriverOptions options;
  options.snapshot_every_slots = 1;
  ASSERT_NO_FATAL_FAILURE(StartLeader(options));
  ASSERT_TRUE(RegisterClient());
  // Distinct keys: the state grows with every put, so each snapshot waits for about as many
  // bytes of puts as all before it, and the gaps between snapshots double.
  const std::string value(1000, 'v');
  constexpr uint64_t kPuts = 64;
  for (uint64_t seq = 1; seq <= kPuts; ++seq) {
    ASSERT_TRUE(driver_->Propose(Put(seq, "key" + std::to_string(seq), value)).ok());
    ASSERT_TRUE(RunUntil(
        [&] { return driver_->state_machine().kv().Read("key" + std::to_string(seq)) == value; }));
  }
  ASSERT_GE(seams_.jobs.size(), 3u);
  EXPECT_LE(seams_.jobs.size(), 10u) << "a snapshot per slot, whatever the state's size";
  for (size_t i = 2; i < seams_.jobs.size(); ++i) {
    const core::Slot gap = seams_.jobs[i].save.slot - seams_.jobs[i - 1].save.slot;
    const core::Slot before = seams_.jobs[i - 1].save.slot - seams_.jobs[i - 2].save.slot;
    EXPECT_GE(gap, before) << "snapshot " << i;
  }
}

// A snapshot is built in a buffer an older one used once the core serves a newer one and the
// store has written it (fresh pages are what a large snapshot costs the loop most).
TEST_F(DriverTest, SnapshotsReuseTheBufferOfAnOlderOneOnceNothingHoldsIt) {
  DriverOptions options;
  options.snapshot_every_slots = 1;
  ASSERT_NO_FATAL_FAILURE(StartLeader(options));
  ASSERT_TRUE(RegisterClient());
  std::vector<const std::string*> buffers;  // each snapshot's blob object, in order
  std::vector<const char*> bytes;           // and where its bytes live
  const std::string value(100, 'v');
  for (uint64_t seq = 1; buffers.size() < 4 && seq < 200; ++seq) {
    ASSERT_TRUE(driver_->Propose(Put(seq, "k", value + std::to_string(seq))).ok());
    ASSERT_TRUE(RunUntil(
        [&] { return driver_->state_machine().kv().Read("k") == value + std::to_string(seq); }));
    for (const SnapshotJob& job : seams_.jobs) {
      buffers.push_back(job.save.blob.get());
      bytes.push_back(job.save.blob->data());
    }
    seams_.jobs.clear();  // written: the store lets go of them
  }
  ASSERT_EQ(buffers.size(), 4u);
  EXPECT_NE(buffers[1], buffers[0]) << "the core still served the first";
  EXPECT_EQ(buffers[2], buffers[0]);
  EXPECT_EQ(buffers[3], buffers[1]);
  EXPECT_EQ(bytes[2], bytes[0]) << "the same memory, not a new allocation";
  // The blob the core serves decodes to the state it was taken from.
  core::SnapshotMeta meta;
  std::string app_bytes;
  ASSERT_TRUE(core::DecodeSnapshot(*buffers[3], &meta, &app_bytes));
  sm::StateMachine restored;
  ASSERT_TRUE(restored.Restore(app_bytes));
  EXPECT_EQ(meta.slot, driver_->core()->SnapshotSlot());
}

// Three quarters of the way to the next snapshot of a state of kSnapshotPrepareBytesMin or
// more, the store is asked to touch a free buffer's pages, once; the snapshot then uses it.
TEST_F(DriverTest, TheNextSnapshotsBufferIsPreparedAheadOfIt) {
  DriverOptions options;
  options.snapshot_every_slots = 1;
  ASSERT_NO_FATAL_FAILURE(StartLeader(options));
  ASSERT_TRUE(RegisterClient());
  const std::string value(60'000, 'v');
  uint64_t seq = 0;
  auto put = [&] {
    ++seq;
    const std::string key = "key" + std::to_string(seq);
    return driver_->Propose(Put(seq, key, value)).ok() &&
           RunUntil([&] { return driver_->state_machine().kv().Read(key) == value; });
  };
  // Grow the state past the bound; snapshots come and go meanwhile.
  while (driver_->state_machine().Snapshot().size() < 2 * kSnapshotPrepareBytesMin) {
    ASSERT_TRUE(put());
  }
  // Up to the next snapshot: exactly one preparation, of a buffer it then uses.
  seams_.jobs.clear();
  seams_.prepared.clear();
  while (seams_.jobs.empty()) ASSERT_TRUE(put());
  ASSERT_EQ(seams_.prepared.size(), 1u);
  const auto [buffer, bytes] = seams_.prepared.front();
  EXPECT_GE(bytes, seams_.jobs.front().save.blob->size());
  EXPECT_EQ(seams_.jobs.front().save.blob.get(), buffer) << "the prepared buffer was not used";
}

TEST_F(DriverTest, ASnapshotTheStateMachineCannotTakeIsFatal) {
  Open({});
  core::Config config;
  config.voters = {kSelf};
  const auto blob = std::make_shared<const std::string>(
      core::EncodeSnapshot(core::SnapshotMeta{5, {{1, config}}}, "not a state machine"));
  Start(blob);
  ASSERT_EQ(seams_.fatal.size(), 1u);
  EXPECT_NE(seams_.fatal[0].find("slot 5"), std::string::npos) << seams_.fatal[0];
  driver_->Tick();
  driver_->Receive(core::Envelope{kSelf, kSelf, core::Active{}});
  EXPECT_TRUE(seams_.applied_slots.empty());
  EXPECT_TRUE(seams_.sent.empty());
}

}  // namespace
}  // namespace pifleet::node
