#!/usr/bin/env python3
"""Holds virtcheck's CPUID decoding against `cpuid -f` for every `cpuid -r` dump under DIR
(files named *.cpuid-r.txt, as in the shared corpus and Data/corpus/cpuid-r).

    compare_cpuid.py DIR [--producer 'CMD {}'] [-j N]

The producer is any command that prints virtcheck's report JSON for the dump `{}` (default:
`virtcheck check --from {} --format json`, the binary from $VIRTCHECK or .build/debug/virtcheck).
Compared, per DESIGN.md's report paths: host.vendor/family/model/stepping/brand,
host.hypervisor.signature, cpu.features.<name> for every feature cpuid names, cpu.svm.* (must be
null exactly when CPUID says no SVM) and cpu.sev.* (null exactly when 0x8000001F is out of range
or advertises nothing). A value cpuid does not print (a leaf out of range, or a bit it does not
decode for that vendor) is not compared; a key absent from the JSON counts as null. Prints one
line per disagreement and a final count line; exits 1 when any dump disagrees or cannot be
compared, 2 when there is nothing to run.
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpuid_reference as ref_mod  # noqa: E402

HOST_KEYS = ["host.vendor", "host.family", "host.model", "host.stepping", "host.brand", "host.hypervisor.signature"]
SVM_NUMBERS = ["cpu.svm.revision", "cpu.svm.nasid"]
SVM_BOOLS = ["cpu.svm." + k for k, _ in ref_mod.SVM_BITS]
SEV_BOOLS = ["cpu.sev." + k for k, _ in ref_mod.SEV_BITS]
SEV_NUMBERS = ["cpu.sev." + k for k, _ in ref_mod.SEV_NUMBERS]
MISSING = object()


def lookup(report, path):
    node = report
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node


def show(v):
    if v is MISSING:
        return "(missing)"
    return json.dumps(v, ensure_ascii=True)


def compare(ref, report, compared):
    """(path, virtcheck value, cpuid value) for every disagreement; `compared` collects the paths."""
    diffs = []

    def check(path, expected):
        compared.append(path)
        got = lookup(report, path)
        if got is MISSING and expected is None:
            return  # an absent optional is null (Swift's synthesized Encodable leaves nil out)
        if got is MISSING or got != expected or type(got) is not type(expected):
            diffs.append((path, got, expected))

    for key in HOST_KEYS:
        check(key, ref[key])
    for key, _, _ in ref_mod.FEATURES:
        if ref["cpu.features." + key] is not None:  # None: cpuid does not decode this bit for this vendor
            check("cpu.features." + key, ref["cpu.features." + key])

    if ref["cpu.features.svm"]:
        if not isinstance(lookup(report, "cpu.svm"), dict):
            diffs.append(("cpu.svm", lookup(report, "cpu.svm"), "object (CPUID.80000001h:ECX[2] SVM set)"))
        else:
            for key in SVM_NUMBERS:  # a leaf cpuid does not print reads as 0
                check(key, ref[key] if ref[key] is not None else 0)
            for key in SVM_BOOLS:
                check(key, bool(ref[key]))
    else:
        check("cpu.svm", None)

    sev_printed = any(ref[k] is not None for k in SEV_BOOLS)
    if sev_printed and any(ref[k] for k in SEV_BOOLS):
        if not isinstance(lookup(report, "cpu.sev"), dict):
            diffs.append(("cpu.sev", lookup(report, "cpu.sev"), "object (0x8000001F advertises features)"))
        else:
            for key in SEV_BOOLS + SEV_NUMBERS:
                check(key, ref[key])
    else:
        check("cpu.sev", None)
    return diffs


def produce(command, path):
    argv = [a.replace("{}", path) for a in shlex.split(command)]
    out = subprocess.run(argv, capture_output=True, text=True, errors="replace")
    if out.returncode not in (0, 1, 3):  # verdicts; 2 and 64 mean no report
        raise RuntimeError(f"producer exit {out.returncode}: {out.stderr.strip()[:300]}")
    return json.loads(out.stdout)


def one(args):
    root, rel, command = args
    path = os.path.join(root, rel)
    compared = []
    try:
        ref = ref_mod.extract(path)
        diffs = compare(ref, produce(command, path), compared)
        if ref["cpuid_status"] != "ok":  # a crash part-way leaves the dump only partly checked
            return rel, diffs, f"cpuid -f {ref['cpuid_status']}; compared what it printed before", len(compared)
        return rel, diffs, None, len(compared)
    except Exception as e:  # one broken dump must not hide the others
        return rel, [], f"ERROR {type(e).__name__}: {e}", len(compared)


def default_producer():
    binary = os.environ.get("VIRTCHECK") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".build", "debug", "virtcheck")
    return shlex.quote(binary) + " check --from {} --format json"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir")
    p.add_argument("--producer", default=None, help="command printing virtcheck JSON for the dump {}")
    p.add_argument("-j", "--jobs", type=int, default=2)
    a = p.parse_args()
    command = a.producer or default_producer()
    root = a.dir
    files = sorted(
        os.path.relpath(os.path.join(d, f), root)
        for d, _, fs in os.walk(root) for f in fs if f.endswith(".cpuid-r.txt")
    )
    if not files:
        print(f"compare_cpuid: no *.cpuid-r.txt dumps under {root}", file=sys.stderr)
        sys.exit(2)
    first = shlex.split(command)[0]
    if not (os.access(first, os.X_OK) or shutil.which(first)):
        print(f"compare_cpuid: producer {first} not found (build virtcheck, or pass --producer)", file=sys.stderr)
        sys.exit(2)
    agree = disagree = values = 0
    with ThreadPoolExecutor(max(1, a.jobs)) as pool:
        for rel, diffs, error, count in pool.map(one, [(root, f, command) for f in files]):
            values += count
            if error:
                print(f"{rel}: {error}")
            for path, got, expected in diffs:
                print(f"{rel}: {path}: virtcheck={show(got)} cpuid={show(expected)}")
            if error or diffs:
                disagree += 1
            else:
                agree += 1
    print(f"({values} values compared; a value cpuid does not print is not compared)")
    print(f"{len(files)} dumps: {agree} agree, {disagree} disagree")
    sys.exit(0 if disagree == 0 else 1)


if __name__ == "__main__":
    main()
