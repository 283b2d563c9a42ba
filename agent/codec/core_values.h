// The msgpack shapes of the core's values (DESIGN §4): ballot, command, slot value, pvalue. One
// encoding shared by the peer messages (agent/wire/codec.cc embeds them) and the WAL's record
// bodies (core_records.h), so both spell a command the same way, while the WAL's records are
// versioned on their own: a change here changes the disk format, so it bumps
// kCoreRecordVersion (core_records.h) and docs/formats.md says what changed.
//
// Unpack* throw Malformed on a wrong shape; the caller that started the unpack catches it.
// Decode only what ParseBounded accepted: it refuses, before msgpack-c builds anything, input
// whose containers claim more elements than the input has bytes.
#pragma once

#include <msgpack.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/types.h"

namespace pifleet::codec {

using Packer = msgpack::packer<msgpack::sbuffer>;

struct Malformed {};

// [round, node]
void Pack(Packer& pk, const core::Ballot& ballot);
// [client id, sequence, kind, payload (bin), voters [id...], learners [id...], replaces]
void Pack(Packer& pk, const core::Command& command);
// [command...]
void Pack(Packer& pk, const core::Value& value);
void Pack(Packer& pk, const std::vector<core::Command>& commands);
// [ballot, slot, value]
void Pack(Packer& pk, const core::PValue& pvalue);
void PackBytes(Packer& pk, const std::string& bytes);

// Field readers: throw Malformed unless the object has the type (and size) asked for.
const msgpack::object* Array(const msgpack::object& o, size_t size);
std::span<const msgpack::object> AnyArray(const msgpack::object& o);
uint64_t U64(const msgpack::object& o);
uint8_t U8(const msgpack::object& o);
std::string Bytes(const msgpack::object& o);

core::Ballot UnpackBallot(const msgpack::object& o);
std::vector<core::NodeId> UnpackIds(const msgpack::object& o);
core::Command UnpackCommand(const msgpack::object& o);
std::vector<core::Command> UnpackCommands(const msgpack::object& o);
core::Value UnpackValue(const msgpack::object& o);
core::PValue UnpackPValue(const msgpack::object& o);

// Parses exactly one msgpack value filling all of `bytes` into *out; false on bad msgpack,
// trailing bytes, containers nested deeper than 8 or claiming more elements than bytes remain.
bool ParseBounded(std::string_view bytes, msgpack::object_handle* out);

}  // namespace pifleet::codec
