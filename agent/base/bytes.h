// Fixed-width little-endian integers and length-prefixed byte strings: the one encoding every
// byte format of ours is built from (WAL framing, snapshot files, node.meta, core and
// state-machine snapshots, members, kv and key commands). The Pi and x86 are both
// little-endian, but the formats say so explicitly and do not depend on it.
//
// ByteWriter appends; ByteReader never reads past its input: the first short read (or a length
// or count the input cannot hold) turns `ok` false, and every later read is a no-op returning
// zero values, so a decoder reads all its fields and checks `ok` once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pifleet {

// Raw fixed-width stores and loads, for formats that lay out fixed headers by offset.
// One append per value, not a push_back per byte: a snapshot of a large state is mostly these.
template <typename T>
void PutFixed(std::string* out, T v) {
  char bytes[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) bytes[i] = static_cast<char>(uint64_t{v} >> (8 * i));
  out->append(bytes, sizeof(T));
}
inline void PutFixed16(std::string* out, uint16_t v) { PutFixed(out, v); }
inline void PutFixed32(std::string* out, uint32_t v) { PutFixed(out, v); }
inline void PutFixed64(std::string* out, uint64_t v) { PutFixed(out, v); }

// Loads `bytes` (at most 8) little-endian bytes. The caller guarantees that p points at them.
inline uint64_t DecodeFixed(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline uint16_t DecodeFixed16(const char* p) { return static_cast<uint16_t>(DecodeFixed(p, 2)); }
inline uint32_t DecodeFixed32(const char* p) { return static_cast<uint32_t>(DecodeFixed(p, 4)); }
inline uint64_t DecodeFixed64(const char* p) { return DecodeFixed(p, 8); }

// Cursor forms for fixed layouts in byte buffers (datagram headers, nonces): store or load a T
// little-endian at p and move p past it. The caller guarantees the room.
template <typename T>
void StoreFixed(uint8_t*& p, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) *p++ = static_cast<uint8_t>(uint64_t{value} >> (8 * i));
}
template <typename T>
T LoadFixed(const uint8_t*& p) {
  const T value = static_cast<T>(DecodeFixed(reinterpret_cast<const char*>(p), sizeof(T)));
  p += sizeof(T);
  return value;
}

struct ByteWriter {
  std::string out;

  void U8(uint8_t v) { out.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { PutFixed16(&out, v); }
  void U32(uint32_t v) { PutFixed32(&out, v); }
  void U64(uint64_t v) { PutFixed64(&out, v); }
  void Raw(std::string_view bytes) { out.append(bytes); }
  // u64 length, then the bytes: a string is always stored whole.
  void Str(std::string_view s) {
    U64(s.size());
    Raw(s);
  }
};

struct ByteReader {
  std::string_view in;  // what is left to read
  bool ok = true;

  uint8_t U8() { return static_cast<uint8_t>(Fixed(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Fixed(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Fixed(4)); }
  uint64_t U64() { return Fixed(8); }
  // The next n bytes, or "" (and ok false) when fewer are left.
  std::string_view Raw(uint64_t n) {
    if (!ok || in.size() < n) return ok = false, std::string_view();
    const std::string_view bytes = in.substr(0, n);
    in.remove_prefix(n);
    return bytes;
  }
  // A string written by ByteWriter::Str; refused (ok false) when longer than max_bytes.
  std::string Str(uint64_t max_bytes = UINT64_MAX) {
    const uint64_t n = U64();
    if (n > max_bytes) ok = false;
    return std::string(Raw(ok ? n : 0));
  }
  // A u64 count of items that each take at least min_bytes: refuses counts the input cannot
  // hold, so a decoder never reserves or loops for more than the input could describe.
  uint64_t Count(uint64_t min_bytes) {
    const uint64_t n = U64();
    if (ok && min_bytes > 0 && n > in.size() / min_bytes) ok = false;
    return ok ? n : 0;
  }
  // True when every byte was read and no read failed.
  bool Done() const { return ok && in.empty(); }

 private:
  uint64_t Fixed(int bytes) {
    if (!ok || in.size() < static_cast<size_t>(bytes)) return ok = false, 0;
    const uint64_t v = DecodeFixed(in.data(), bytes);
    in.remove_prefix(static_cast<size_t>(bytes));
    return v;
  }
};

}  // namespace pifleet
