#!/usr/bin/env bash
# Times virtcheck against `kvm-ok` on this machine in paired runs: each virtcheck run is followed
# (or, every other pair, preceded) by a kvm-ok run, and the ratio is taken within each pair, so
# load that comes and goes on a shared machine falls on both sides of a ratio. Prints the median
# ratio and both absolute medians for
#   - `check --format json` (guest run included)            goal: ratio <= 2.0   (issue 16)
#   - `check --from` a captured snapshot (no probing at all)  goal: ratio <= 1.0
#   - `capture --no-guest`                                  goal: ratio <= 2.0
# and virtcheck's peak RSS for each (/usr/bin/time; goal <= 20 MiB for `check`).
#   benchmarks/check-vs-kvm-ok.sh [pairs] [binary]    (default 21 pairs; the release build of
#                                                      scripts/build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-21}
bin=${2:-}
scripts/ensure-deps cpu-checker time >/dev/null
[ -n "$bin" ] || bin=$(scripts/build-release)
snapshot=Data/hosts/workplace-amd-epyc-kvm-pvm.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

BIN=$bin SNAPSHOT=$snapshot WORK=$work PAIRS=$pairs python3 - <<'PY'
import os, statistics, subprocess, time
b, work, pairs = os.environ["BIN"], os.environ["WORK"], int(os.environ["PAIRS"])
kvm_ok = ["kvm-ok"]
cases = [
    ("check (guest run included)", [b, "check", "--format", "json", "--output", f"{work}/r.json"], 2.0),
    ("check --from snapshot", [b, "check", "--from", os.environ["SNAPSHOT"], "--format", "json", "--output", f"{work}/f.json"], 1.0),
    ("capture --no-guest", [b, "capture", "--no-guest", "--output", f"{work}/c.json"], 2.0),
]

null = os.open(os.devnull, os.O_WRONLY)
actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]

def timed(argv):
    """Wall time and CPU time (user + system, its reaped children included) of one run,
    spawned directly (no shell), output discarded."""
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    _, _, usage = os.wait4(pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime

for _ in range(2):  # warm-up: page cache, pci.ids, the binary
    for _, argv, _ in cases: timed(argv)
    timed(kvm_ok)

for name, argv, goal in cases:
    ratios, cpu_ratios, vcs, kos, vc_cpu, ko_cpu = [], [], [], [], [], []
    for i in range(pairs):
        if i % 2 == 0:
            vc = timed(argv); ko = timed(kvm_ok)
        else:
            ko = timed(kvm_ok); vc = timed(argv)
        ratios.append(vc[0] / ko[0]); cpu_ratios.append(vc[1] / ko[1])
        vcs.append(vc[0]); kos.append(ko[0]); vc_cpu.append(vc[1]); ko_cpu.append(ko[1])
    rss = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True).stderr.strip().splitlines()[-1]
    ratio = statistics.median(ratios)
    med = lambda xs: statistics.median(xs) * 1000
    print(f"{name}: wall-time ratio virtcheck/kvm-ok, median of {pairs} pairs: {ratio:.2f} "
          f"(goal <= {goal}: {'met' if ratio <= goal else 'MISSED'}); medians virtcheck {med(vcs):.1f} ms, kvm-ok {med(kos):.1f} ms")
    print(f"  CPU time (user + system, children included): ratio {statistics.median(cpu_ratios):.2f}; "
          f"medians virtcheck {med(vc_cpu):.1f} ms, kvm-ok {med(ko_cpu):.1f} ms; virtcheck peak RSS {int(rss)/1024:.1f} MiB")
PY
