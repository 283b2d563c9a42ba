// The bodies of the consensus core's WAL records (docs/formats.md, "Record bodies"): a format
// version byte, then the value in the msgpack shape of core_values.h. The WAL keeps kind and
// slot beside these bytes (agent/store/wal_record.h); agent/store/core_log.cc maps core records
// to kinds. A body of another version is refused with both versions named, never guessed at.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/core/types.h"

namespace pifleet::codec {

// 1: the msgpack shapes with no version byte (written through the wire codec, unversioned).
// 2: a version byte first; snapshot markers too.
// 3: a command carries `replaces` (a reconfiguration's compare-and-set, core/types.h).
inline constexpr uint8_t kCoreRecordVersion = 3;

std::string EncodeBallotRecord(const core::Ballot& ballot);
std::string EncodePValueRecord(const core::PValue& pvalue);
std::string EncodeSnapshotMarkerRecord(uint64_t snapshot_hash);

// Corruption naming both versions when the body is of another format version; Corruption
// "undecodable ..." when it is of this version but malformed (short, trailing bytes, bad shape).
Status DecodeBallotRecord(std::string_view body, core::Ballot* out);
Status DecodePValueRecord(std::string_view body, core::PValue* out);
Status DecodeSnapshotMarkerRecord(std::string_view body, uint64_t* snapshot_hash);

}  // namespace pifleet::codec
