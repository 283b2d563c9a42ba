#include "agent/wire/config_bodies.h"

#include "agent/wire/msgpack_fields.h"

namespace pifleet::wire {
using namespace mp;  // NOLINT(google-build-using-namespace): the shared field helpers

namespace {

const msgpack::unpack_limit kConfigLimits(/*array=*/kSettingRowsMax, /*map=*/0,
                                          /*str=*/kSettingValueBytesMax,
                                          /*bin=*/kSettingValueBytesMax, /*ext=*/0, /*depth=*/3);

std::string BoundedBin(const msgpack::object& o, size_t max) {
  std::string s = Bin(o);
  if (s.size() > max) throw Malformed{};
  return s;
}

}  // namespace

std::string EncodeBody(const ConfigSetBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(3);
    pk.pack(body.name);
    pk.pack(body.value);
    pk.pack(body.unset);
  });
}

bool DecodeBody(const std::string& bytes, ConfigSetBody* out) {
  const auto unpack = [&](const msgpack::object& o) {
    const msgpack::object* f = Fields(o, 3);
    *out = ConfigSetBody{BoundedBin(f[0], kSettingNameBytesMax),
                         BoundedBin(f[1], kSettingValueBytesMax), Bool(f[2])};
  };
  return Decode(bytes, unpack, kConfigLimits);
}

std::string EncodeBody(const ConfigListBody& body) {
  return Encode([&](Packer& pk) {
    pk.pack_array(static_cast<uint32_t>(body.rows.size()));
    for (const ConfigRow& row : body.rows) {
      pk.pack_array(5);
      pk.pack(row.name);
      pk.pack(row.value);
      pk.pack(row.from_cluster);
      pk.pack(row.mod_revision);
      pk.pack(row.allowed);
    }
  });
}

bool DecodeBody(const std::string& bytes, ConfigListBody* out) {
  const auto unpack = [&](const msgpack::object& o) {
    const msgpack::object& rows = Array(o, kSettingRowsMax);
    out->rows.clear();
    for (uint32_t i = 0; i < rows.via.array.size; ++i) {
      const msgpack::object* f = Fields(rows.via.array.ptr[i], 5);
      out->rows.push_back(ConfigRow{BoundedBin(f[0], kSettingNameBytesMax),
                                    BoundedBin(f[1], kSettingValueBytesMax), Bool(f[2]), U64(f[3]),
                                    BoundedBin(f[4], kSettingValueBytesMax)});
    }
  };
  return Decode(bytes, unpack, kConfigLimits);
}

}  // namespace pifleet::wire
