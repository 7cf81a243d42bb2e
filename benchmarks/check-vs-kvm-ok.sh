#!/usr/bin/env bash
# Times a full `virtcheck check` (guest run included) against `kvm-ok` on this machine, side by
# side, and reports virtcheck's peak memory. Goal: no slower than kvm-ok, peak RSS < 30 MiB.
#   benchmarks/check-vs-kvm-ok.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
scripts/ensure-deps cpu-checker hyperfine time
swift build -c release --static-swift-stdlib --product virtcheck >/dev/null
bin=.build/release/virtcheck

hyperfine --runs "$runs" --warmup 2 -N -i --export-json /tmp/virtcheck-bench.json \
  "$bin check --format json --output /tmp/virtcheck-bench-report.json" \
  "kvm-ok" >&2

python3 - <<'PY'
import json
r = json.load(open('/tmp/virtcheck-bench.json'))['results']
vc, ko = r[0]['median'], r[1]['median']
print(f"virtcheck check (guest run included): median {vc*1000:.1f} ms")
print(f"kvm-ok:                                median {ko*1000:.1f} ms")
print(f"ratio virtcheck/kvm-ok: {vc/ko:.2f}")
PY

peak_kb=$(/usr/bin/time -f '%M' "$bin" check --format json --output /tmp/virtcheck-bench-report.json 2>&1 >/dev/null | tail -1)
echo "virtcheck peak RSS: $((peak_kb / 1024)) MiB ($peak_kb KiB)"
