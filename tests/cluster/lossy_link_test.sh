#!/usr/bin/env bash
# partition_test.sh with 20 % loss and 50 ms delay on every link (tc netem) from the start.
exec "$(dirname "$0")/partition_test.sh" --lossy "$@"
