// Little-endian byte writer and bounds-checked reader for state-machine snapshots. The reader
// never reads past its input: the first short read turns `ok` false and every later read is a
// no-op returning zero values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pifleet::sm {

struct ByteWriter {
  std::string out;
  void U8(uint8_t v) { out.push_back(static_cast<char>(v)); }
  void U64(uint64_t v) {
    for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>(v >> shift));
  }
  void Str(std::string_view s) {
    U64(s.size());
    out.append(s);
  }
};

struct ByteReader {
  std::string_view in;
  bool ok = true;

  uint8_t U8() {
    if (!ok || in.empty()) return ok = false, 0;
    const auto v = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    return v;
  }
  uint64_t U64() {
    if (!ok || in.size() < 8) return ok = false, 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(in[i])} << (8 * i);
    in.remove_prefix(8);
    return v;
  }
  std::string Str() {
    const uint64_t n = U64();
    if (!ok || in.size() < n) return ok = false, std::string();
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  // A count of items that each take at least min_bytes: refuses counts the input cannot hold.
  uint64_t Count(uint64_t min_bytes) {
    const uint64_t n = U64();
    if (ok && n > in.size() / min_bytes) ok = false;
    return ok ? n : 0;
  }
};

}  // namespace pifleet::sm
