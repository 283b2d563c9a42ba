#include "agent/wire/header.h"

#include "agent/base/bytes.h"

namespace pifleet::wire {

void EncodeHeader(const Header& header, std::span<uint8_t, kHeaderBytes> out) {
  uint8_t* p = out.data();
  *p++ = 'P';
  *p++ = 'F';
  *p++ = header.version;
  *p++ = header.key_id;
  StoreFixed(p, header.cluster_id);
  StoreFixed(p, header.sender);
  StoreFixed(p, header.epoch);
  StoreFixed(p, header.counter);
}

DropReason DecodeHeader(std::span<const uint8_t> datagram, Header* out) {
  if (datagram.size() < kHeaderBytes) return DropReason::kTruncated;
  const uint8_t* p = datagram.data();
  if (p[0] != 'P' || p[1] != 'F') return DropReason::kBadMagic;
  p += 2;
  out->version = *p++;
  if (out->version != kWireVersion) return DropReason::kBadVersion;
  out->key_id = *p++;
  out->cluster_id = LoadFixed<uint64_t>(p);
  out->sender = LoadFixed<uint64_t>(p);
  out->epoch = LoadFixed<uint32_t>(p);
  out->counter = LoadFixed<uint64_t>(p);
  return DropReason::kNone;
}

}  // namespace pifleet::wire
