// The runtime settings (sm/settings.h): their one check, how the store holds them, and which kv
// commands the agent refuses because they would write one.
#include "agent/sm/settings.h"

#include <gtest/gtest.h>

#include "agent/sm/kv_txn.h"

namespace pifleet::sm {
namespace {

TEST(Settings, CheckNamesTheKeyAndTheRange) {
  EXPECT_EQ(CheckSetting("voters", "5"), "");
  EXPECT_EQ(
      CheckSetting("voters", "4"),
      "voters must be 1, 3, 5 or 7 (an odd count: 3 or 5 for a fleet, 1 for a test), not '4'");
  EXPECT_EQ(CheckSetting("log_level", "debug"), "");
  EXPECT_NE(CheckSetting("log_level", "loud").find("error, warning, notice, info or debug"),
            std::string::npos);
  // The bounds themselves, and one past each.
  EXPECT_EQ(CheckSetting("discover_interval_ms", "100"), "");
  EXPECT_EQ(CheckSetting("discover_interval_ms", "60000"), "");
  EXPECT_NE(CheckSetting("discover_interval_ms", "99"), "");
  EXPECT_NE(CheckSetting("discover_interval_ms", "60001"), "");
  EXPECT_EQ(CheckSetting("snapshot_every_slots", "100"), "");
  EXPECT_EQ(CheckSetting("snapshot_every_slots", "10000000"), "");
  EXPECT_NE(CheckSetting("snapshot_every_slots", "99"), "");
  // Not numbers, or numbers with more after them.
  for (const char* bad : {"", "-3", "3 ", "3x", "0x3", "99999999999999999999999"}) {
    EXPECT_NE(CheckSetting("voters", bad), "") << bad;
  }
  EXPECT_EQ(CheckSetting("listen", "0.0.0.0:1"),
            "no runtime setting 'listen' (settings: log_level, voters, discover_interval_ms, "
            "snapshot_every_slots)");
}

KvStore StoreWith(const std::string& name, const std::string& value) {
  KvStore kv;
  const wire::TxnOpBody put{
      wire::TxnOpBody::kPut, std::string(kSettingsPrefix) + name, "", value, 0, 0};
  kv.Apply(EncodeKvTxn({{}, {put}, {}}));
  return kv;
}

TEST(Settings, ReadFromTheStoreAndChangesSeen) {
  EXPECT_EQ(ReadSettings(KvStore{}), RuntimeSettings{});
  KvStore kv = StoreWith("voters", "5");
  EXPECT_EQ(ReadSettings(kv).voters, 5u);
  EXPECT_TRUE(ChangedSettings(kv.last_events()));
  EXPECT_EQ(ReadSettings(StoreWith("snapshot_every_slots", "5000")).snapshot_every_slots, 5000u);
  EXPECT_EQ(ReadSettings(StoreWith("log_level", "debug")).log_level, "debug");
  // A value that does not parse (another version wrote it) counts as unset, on every node alike.
  EXPECT_EQ(ReadSettings(StoreWith("voters", "4")).voters, std::nullopt);
  KvStore other;
  other.Apply(EncodeKvTxn({{}, {{wire::TxnOpBody::kPut, "app/x", "", "1", 0, 0}}, {}}));
  EXPECT_FALSE(ChangedSettings(other.last_events()));
}

TEST(Settings, KvWritesUnderThePrefixAreFound) {
  const std::string key = std::string(kSettingsPrefix) + "voters";
  EXPECT_TRUE(
      WritesSettings(wire::KvRequestBody{static_cast<uint8_t>(KvKind::kPut), key, "1", ""}));
  EXPECT_TRUE(
      WritesSettings(wire::KvRequestBody{static_cast<uint8_t>(KvKind::kDelete), key, "", ""}));
  EXPECT_FALSE(
      WritesSettings(wire::KvRequestBody{static_cast<uint8_t>(KvKind::kGet), key, "", ""}));
  EXPECT_FALSE(
      WritesSettings(wire::KvRequestBody{static_cast<uint8_t>(KvKind::kPut), "pifleet/x", "", ""}));

  const auto txn = [](uint8_t kind, std::string k, std::string end) {
    return wire::TxnRequestBody{{}, {{kind, std::move(k), std::move(end), "", 0, 0}}, {}};
  };
  EXPECT_TRUE(WritesSettings(txn(wire::TxnOpBody::kPut, key, "")));
  EXPECT_FALSE(WritesSettings(txn(wire::TxnOpBody::kRange, "", std::string(1, '\0'))));
  // Deletes of ranges that hold the prefix: everything, "pifleet/", the prefix itself.
  EXPECT_TRUE(WritesSettings(txn(wire::TxnOpBody::kDelete, "", std::string(1, '\0'))));
  EXPECT_TRUE(WritesSettings(txn(wire::TxnOpBody::kDelete, "pifleet/", "pifleet0")));
  EXPECT_TRUE(WritesSettings(txn(wire::TxnOpBody::kDelete, "pifleet/config/", "pifleet/config0")));
  EXPECT_TRUE(
      WritesSettings(txn(wire::TxnOpBody::kDelete, "pifleet/config/v", std::string(1, '\0'))));
  // Ranges beside it.
  EXPECT_FALSE(WritesSettings(txn(wire::TxnOpBody::kDelete, "pifleet/a", "pifleet/config/")));
  EXPECT_FALSE(
      WritesSettings(txn(wire::TxnOpBody::kDelete, "pifleet/config0", std::string(1, '\0'))));
  EXPECT_FALSE(WritesSettings(txn(wire::TxnOpBody::kDelete, "app/", "app0")));
  // In the else branch as well.
  wire::TxnRequestBody in_else = txn(wire::TxnOpBody::kRange, key, "");
  in_else.else_ops.push_back({wire::TxnOpBody::kDelete, key, "", "", 0, 0});
  EXPECT_TRUE(WritesSettings(in_else));
}

}  // namespace
}  // namespace pifleet::sm
