#!/bin/sh
# Runs one libFuzzer harness for a bounded time (the `fuzz` meson suite).
#   run-fuzzer.sh FUZZER SEED-CORPUS WORK-DIR SECONDS [EXTRA-LIBFUZZER-ARGS...]
# New inputs go to WORK-DIR/corpus (the committed seeds are only read), crash
# and leak reproducers to WORK-DIR/artifacts/. Exit status: the fuzzer's (0 when
# nothing was found).
set -eu
fuzzer=$1
seeds=$2
work=$3
seconds=$4
shift 4
mkdir -p "$work/corpus" "$work/artifacts"
# gdk-pixbuf and GIO consult these; keep the run independent of the desktop
export GIO_USE_VFS=local GSETTINGS_BACKEND=memory
exec "$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=8192 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$seeds"
