#!/bin/sh
# Compares virtcheck's CPUID decoding with `cpuid -f` (Debian package cpuid) over every
# `cpuid -r` dump (*.cpuid-r.txt) in DIR (default: ../shared/corpus/cpuid-r, relative to the
# repository root; Data/corpus/cpuid-r is the committed subset).
# Prints each disagreement and a final line `N dumps: A agree, D disagree`; exit 1 on any.
# Extra arguments go to scripts/compare_cpuid.py, e.g. --producer 'CMD {}' or -j 4;
# $VIRTCHECK names the binary (default .build/debug/virtcheck).
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$repo/../shared/corpus/cpuid-r}
[ $# -gt 0 ] && shift
command -v cpuid >/dev/null || { echo "compare-cpuid-corpus: needs cpuid (apt install cpuid)" >&2; exit 2; }
exec python3 "$repo/scripts/compare_cpuid.py" "$dir" "$@"
