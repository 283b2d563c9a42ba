#include "agent/codec/core_records.h"

#include "agent/base/bytes.h"
#include "agent/codec/core_values.h"

namespace pifleet::codec {
namespace {

// Most bodies are tiny and every accept and decision is encoded once per node: start small
// (msgpack::sbuffer's default is 8 KiB).
constexpr size_t kRecordBufferBytes = 256;

template <typename T>
std::string EncodeRecord(const T& value) {
  msgpack::sbuffer buffer(kRecordBufferBytes);
  buffer.write(reinterpret_cast<const char*>(&kCoreRecordVersion), 1);
  Packer pk(buffer);
  Pack(pk, value);
  return std::string(buffer.data(), buffer.size());
}

// The version a body was written in. Version 1 bodies had no version byte: a msgpack array
// (fixarray 0x90..0x9f) for ballots and pvalues, 8 bytes of hash for markers.
uint32_t VersionOf(std::string_view body, bool is_marker) {
  if (body.empty()) return 0;
  if (is_marker && body.size() == 8) return 1;
  const auto first = static_cast<uint8_t>(body[0]);
  if (!is_marker && first >= 0x90 && first <= 0x9f) return 1;
  return first;
}

Status CheckVersion(std::string_view body, bool is_marker) {
  const uint32_t version = VersionOf(body, is_marker);
  if (version == kCoreRecordVersion) return Status::Ok();
  return Status::Corruption("written in core record format version " + std::to_string(version) +
                            "; this build of pifleet reads version " +
                            std::to_string(kCoreRecordVersion) +
                            " only (docs/formats.md): start the node with an empty data dir so "
                            "that it joins again, or run `pifleet repair`");
}

template <typename T, typename F>
Status DecodeRecord(std::string_view body, const char* what, F unpack, T* out) {
  if (Status s = CheckVersion(body, false); !s.ok()) return s;
  msgpack::object_handle handle;
  try {
    if (ParseBounded(body.substr(1), &handle)) {
      *out = unpack(handle.get());
      return Status::Ok();
    }
  } catch (const Malformed&) {
  }
  return Status::Corruption(std::string("undecodable ") + what);
}

}  // namespace

std::string EncodeBallotRecord(const core::Ballot& ballot) { return EncodeRecord(ballot); }

std::string EncodePValueRecord(const core::PValue& pvalue) { return EncodeRecord(pvalue); }

std::string EncodeSnapshotMarkerRecord(uint64_t snapshot_hash) {
  ByteWriter w;
  w.U8(kCoreRecordVersion);
  w.U64(snapshot_hash);
  return std::move(w.out);
}

Status DecodeBallotRecord(std::string_view body, core::Ballot* out) {
  return DecodeRecord(body, "ballot", UnpackBallot, out);
}

Status DecodePValueRecord(std::string_view body, core::PValue* out) {
  return DecodeRecord(body, "pvalue", UnpackPValue, out);
}

Status DecodeSnapshotMarkerRecord(std::string_view body, uint64_t* snapshot_hash) {
  if (Status s = CheckVersion(body, true); !s.ok()) return s;
  ByteReader r{body.substr(1)};
  const uint64_t hash = r.U64();
  if (!r.Done()) return Status::Corruption("undecodable snapshot marker");
  *snapshot_hash = hash;
  return Status::Ok();
}

}  // namespace pifleet::codec
