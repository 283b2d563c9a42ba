#!/usr/bin/env bash
# Fails when the pure consensus core reaches for I/O, clocks or threads: the simulator can only
# drive a core that takes time as ticks and the world as messages.
# Usage: check_core_purity.sh DIR   (exit 0 pure, 1 impure, 2 usage)
set -u
dir=${1:?usage: check_core_purity.sh DIR}
[ -d "$dir" ] || { echo "check_core_purity: no directory $dir" >&2; exit 2; }
forbidden='#[[:space:]]*include[[:space:]]*[<"](sys/socket\.h|netinet/[^>"]*|arpa/[^>"]*|netdb\.h|sys/un\.h|poll\.h|sys/epoll\.h|chrono|ctime|time\.h|sys/time\.h|thread|mutex|shared_mutex|condition_variable|future|atomic|semaphore|pthread\.h|fstream|filesystem|cstdio|stdio\.h|unistd\.h|fcntl\.h|sys/stat\.h|sys/mman\.h|asio\.hpp|asio/[^>"]*|random_device)[>"]'
hits=$(grep -rnE --include='*.h' --include='*.cc' "$forbidden" "$dir")
tokens=$(grep -rnE --include='*.h' --include='*.cc' 'std::random_device|std::chrono|std::this_thread|\bfopen\(|\bgetenv\(' "$dir")
if [ -n "$hits$tokens" ]; then
  echo "check_core_purity: $dir must stay pure (no sockets, clocks, threads or files):"
  [ -n "$hits" ] && echo "$hits"
  [ -n "$tokens" ] && echo "$tokens"
  exit 1
fi
count=$(find "$dir" -name '*.h' -o -name '*.cc' | wc -l)
echo "check_core_purity: $dir is pure ($count files)"
