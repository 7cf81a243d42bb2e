#!/usr/bin/env bash
# Corpus-scale speed: `virtcheck baseline` over every `cpuid -r` dump of the corpus in one
# process, side by side with `cpuid -f` decoding the same dumps (one process per dump, the
# only way cpuid reads a file). Prints both totals, the per-host cost and the ratio, then
# peak memory for the pool and for a pool ten times larger (streaming: it should barely grow).
# Goal (issue 16): the whole corpus (~1,119 dumps) in under 0.2 s and under 0.2x `cpuid -f`.
#   benchmarks/corpus-baseline.sh [corpus-dir] [runs] [binary]   (default ../shared/corpus/cpuid-r;
#                                                                  the release build of scripts/build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-${VIRTCHECK_CORPUS:-../shared/corpus/cpuid-r}}
runs=${2:-10}
[ -d "$corpus" ] || { echo "no corpus at $corpus (give its path)" >&2; exit 2; }
bin=${3:-}
scripts/ensure-deps cpuid hyperfine time
[ -n "$bin" ] || bin=$PWD/$(scripts/build-release)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "$corpus" -type f -name '*.txt' | sort > "$work/hosts"
hosts=$(wc -l < "$work/hosts")
for _ in $(seq 10); do cat "$work/hosts"; done > "$work/hosts10"

hyperfine --runs "$runs" --warmup 1 --export-json "$work/bench.json" \
  "$bin baseline --paths-from $work/hosts --format json --output $work/baseline.json" \
  "xargs -a $work/hosts -d '\n' -n 1 cpuid -f > /dev/null" >&2

# CPU time of one run: on a busy machine wall time includes waiting for a core.
cpu=$(/usr/bin/time -f '%U %S' "$bin" baseline --paths-from "$work/hosts" --format json --output "$work/baseline.json" 2>&1 | tail -1)
peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
rss1=$(peak "$bin" baseline --paths-from "$work/hosts" --format qemu)
rss10=$(peak "$bin" baseline --paths-from "$work/hosts10" --format qemu)

HOSTS=$hosts CPU="$cpu" RSS1=$rss1 RSS10=$rss10 python3 - "$work/bench.json" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1]))['results']
n = int(os.environ['HOSTS'])
vc, cf = r[0]['median'], r[1]['median']
print(f"hosts (cpuid -r dumps):                  {n}")
print(f"virtcheck baseline, one process:         median {vc*1000:.0f} ms  ({vc/n*1e6:.0f} us per host)")
print(f"cpuid -f, one process per dump:          median {cf*1000:.0f} ms  ({cf/n*1e6:.0f} us per host)")
user, sys_ = map(float, os.environ['CPU'].split())
print(f"virtcheck baseline, CPU time of one run: {(user+sys_)*1000:.0f} ms  (user {user*1000:.0f}, sys {sys_*1000:.0f})")
print(f"ratio virtcheck/cpuid -f:                {vc/cf:.3f}  (virtcheck {cf/vc:.1f}x faster)")
print(f"goal (< 0.2 s and < 0.2x cpuid -f):      {'met' if vc < 0.2 and vc / cf < 0.2 else 'MISSED'}")
print(f"peak RSS, {n} hosts:                     {int(os.environ['RSS1'])/1024:.1f} MiB")
print(f"peak RSS, {10*n} hosts (streaming):      {int(os.environ['RSS10'])/1024:.1f} MiB")
PY
