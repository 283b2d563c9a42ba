// The msgpack field readers and writers every client body shares (client_bodies.cc,
// txn_bodies.cc, watch_bodies.cc): bounded decoding that throws Malformed on any surprise, and
// Decode/Encode around it. Internal to agent/wire.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <string>

#include "agent/core/constants.h"
#include "agent/wire/client_bodies.h"

namespace pifleet::wire::mp {

using Packer = msgpack::packer<msgpack::sbuffer>;

// Thrown by the field readers below; Decode turns it into false.
struct Malformed {};

// Bounds the decoder applies before it builds anything: a members table of kNodesMax rows,
// strings and byte strings as large as a command.
inline const msgpack::unpack_limit kLimits(/*array=*/core::kNodesMax, /*map=*/0,
                                           /*str=*/core::kCommandBytesMax,
                                           /*bin=*/core::kCommandBytesMax,
                                           /*ext=*/0, /*depth=*/3);
// A transaction's reply: responses, each with up to kRangeRowsMax rows of six fields.
inline const msgpack::unpack_limit kTxnReplyLimits(/*array=*/kRangeRowsMax, /*map=*/0,
                                                   /*str=*/core::kCommandBytesMax,
                                                   /*bin=*/core::kCommandBytesMax, /*ext=*/0,
                                                   /*depth=*/5);

inline void PackBin(Packer& pk, const std::string& bytes) {
  pk.pack_bin(static_cast<uint32_t>(bytes.size()));
  pk.pack_bin_body(bytes.data(), static_cast<uint32_t>(bytes.size()));
}

inline const msgpack::object* Fields(const msgpack::object& o, uint32_t count) {
  if (o.type != msgpack::type::ARRAY || o.via.array.size != count) throw Malformed{};
  return o.via.array.ptr;
}

inline std::string Bin(const msgpack::object& o) {
  if (o.type == msgpack::type::BIN) return std::string(o.via.bin.ptr, o.via.bin.size);
  if (o.type == msgpack::type::STR) return std::string(o.via.str.ptr, o.via.str.size);
  throw Malformed{};
}

inline uint64_t U64(const msgpack::object& o) {
  if (o.type != msgpack::type::POSITIVE_INTEGER) throw Malformed{};
  return o.via.u64;
}

inline int64_t I64(const msgpack::object& o) {
  if (o.type == msgpack::type::POSITIVE_INTEGER) {
    if (o.via.u64 > static_cast<uint64_t>(INT64_MAX)) throw Malformed{};
    return static_cast<int64_t>(o.via.u64);
  }
  if (o.type == msgpack::type::NEGATIVE_INTEGER) return o.via.i64;
  throw Malformed{};
}

inline bool Bool(const msgpack::object& o) {
  if (o.type != msgpack::type::BOOLEAN) throw Malformed{};
  return o.via.boolean;
}

template <typename F>
bool Decode(const std::string& bytes, F unpack, const msgpack::unpack_limit& limits = kLimits) {
  try {
    size_t offset = 0;
    const msgpack::object_handle handle =
        msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, limits);
    if (offset != bytes.size()) return false;
    unpack(handle.get());
    return true;
  } catch (const Malformed&) {
    return false;
  } catch (const std::exception&) {  // msgpack::unpack_error and the limit errors
    return false;
  }
}

template <typename F>
std::string Encode(F pack) {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  pack(pk);
  return std::string(buffer.data(), buffer.size());
}

inline const msgpack::object& Array(const msgpack::object& o, size_t max) {
  if (o.type != msgpack::type::ARRAY || o.via.array.size > max) throw Malformed{};
  return o;
}

}  // namespace pifleet::wire::mp
