#include "agent/wire/header.h"

namespace pifleet::wire {
namespace {

template <typename T>
void Put(uint8_t*& p, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) *p++ = static_cast<uint8_t>(value >> (8 * i));
}

template <typename T>
T Get(const uint8_t*& p) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<T>(*p++) << (8 * i));
  return value;
}

}  // namespace

void EncodeHeader(const Header& header, std::span<uint8_t, kHeaderBytes> out) {
  uint8_t* p = out.data();
  *p++ = 'P';
  *p++ = 'F';
  *p++ = header.version;
  *p++ = header.key_id;
  Put(p, header.cluster_id);
  Put(p, header.sender);
  Put(p, header.epoch);
  Put(p, header.counter);
}

DropReason DecodeHeader(std::span<const uint8_t> datagram, Header* out) {
  if (datagram.size() < kHeaderBytes) return DropReason::kTruncated;
  const uint8_t* p = datagram.data();
  if (p[0] != 'P' || p[1] != 'F') return DropReason::kBadMagic;
  p += 2;
  out->version = *p++;
  if (out->version != kWireVersion) return DropReason::kBadVersion;
  out->key_id = *p++;
  out->cluster_id = Get<uint64_t>(p);
  out->sender = Get<uint64_t>(p);
  out->epoch = Get<uint32_t>(p);
  out->counter = Get<uint64_t>(p);
  return DropReason::kNone;
}

}  // namespace pifleet::wire
