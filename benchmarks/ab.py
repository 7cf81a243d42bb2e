#!/usr/bin/env python3
"""Times two virtcheck binaries against each other on the same command line, in alternated pairs
(A then B, then B then A, ...), so load that comes and goes on a shared machine falls on both:
prints each median wall time (and CPU time, children included) and the median of the per-pair
ratios B/A. What issue 16's rounds quote as "N alternated pairs".
    benchmarks/ab.py PAIRS BINARY_A BINARY_B -- ARGUMENTS...
    e.g. benchmarks/ab.py 60 old/virtcheck new/virtcheck -- check --from Data/hosts/X.json --format json --output /tmp/r.json
"""
import os
import statistics
import sys
import time


def main():
    if len(sys.argv) < 5 or sys.argv[4] != "--":
        sys.exit(__doc__)
    pairs, a, b, args = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[5:]
    null = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]

    def timed(binary):
        start = time.perf_counter()
        pid = os.posix_spawn(binary, [binary] + args, os.environ, file_actions=actions)
        _, _, usage = os.wait4(pid, 0)
        return (time.perf_counter() - start) * 1000, (usage.ru_utime + usage.ru_stime) * 1000

    for _ in range(3):  # warm-up: page cache, both binaries
        timed(a)
        timed(b)
    runs = {a: [], b: []}
    for i in range(pairs):
        for binary in ((a, b) if i % 2 == 0 else (b, a)):
            runs[binary].append(timed(binary))
    med = statistics.median
    wall = {k: [w for w, _ in v] for k, v in runs.items()}
    cpu = {k: [c for _, c in v] for k, v in runs.items()}
    ratio = med([y / x for x, y in zip(wall[a], wall[b])])
    print(f"A {med(wall[a]):.2f} ms (CPU {med(cpu[a]):.1f})  B {med(wall[b]):.2f} ms (CPU {med(cpu[b]):.1f})  "
          f"B/A of medians {med(wall[b]) / med(wall[a]):.3f}, median of pair ratios {ratio:.3f}")


main()
