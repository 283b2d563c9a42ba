// The fleet page (DESIGN §9): plain HTML, CSS and JavaScript from agent/daemon/page/, embedded in
// the binary at build time (cmake/EmbedFiles.cmake). The page asks the same listener for
// /v1/status, /v1/members and /v1/jobs once a second and draws them; nothing is fetched from
// elsewhere.
#pragma once

#include <span>
#include <string_view>

namespace pifleet::daemon {

struct EmbeddedFile {
  std::string_view name;  // "index.html"
  std::string_view bytes;
};

std::span<const EmbeddedFile> EmbeddedFiles();

// The file's bytes, or "" when no file has that name.
std::string_view FindEmbeddedFile(std::string_view name);

// The bytes of every embedded file together: the page's cost in the binary.
size_t EmbeddedBytes();

}  // namespace pifleet::daemon
