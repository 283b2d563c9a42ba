#!/usr/bin/env bash
# Proves the purity check can fail: an impure file must be caught, a pure one must pass.
set -eu
checker=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/pure" "$tmp/socket" "$tmp/clock" "$tmp/thread" "$tmp/file" "$tmp/asio"
printf '#include <vector>\n#include "agent/core/ballot.h"\n' > "$tmp/pure/a.cc"
printf '#include <sys/socket.h>\n' > "$tmp/socket/a.cc"
printf '#include <cstdint>\nauto t = std::chrono::steady_clock::now();\n' > "$tmp/clock/a.h"
printf '#  include <thread>\n' > "$tmp/thread/a.cc"
printf '#include <fstream>\n' > "$tmp/file/a.h"
printf '#include <asio.hpp>\n' > "$tmp/asio/a.cc"
"$checker" "$tmp/pure" >/dev/null || { echo "selftest: a pure folder was rejected"; exit 1; }
for bad in socket clock thread file asio; do
  if "$checker" "$tmp/$bad" >/dev/null; then echo "selftest: missed the $bad include"; exit 1; fi
done
echo "selftest: purity check catches socket, clock, thread, file and asio includes"
