#!/usr/bin/env python3
"""Writes the VMX MSR fixtures of Tests/AnalysisTests/Fixtures/vmx-msr-sets/ from the shared corpus.

For each of the 175 CPUs of <shared>/corpus/vmx-msrs-175-cpus.csv it writes one directory named
after the InstLatx64 dump (file name without ".txt") holding
  cpuid.txt  the dump's CPUID in `cpuid -r` form, copied verbatim from <shared>/corpus/cpuid-r/<file>.cpuid-r.txt
  msr.txt    an MSR listing (`0xINDEX 0xVALUE` lines after a `#` provenance header) of the MSRs the
             dump contains; an MSR the dump lacks is left out (virtcheck then treats it as not read)
which is the layout `virtcheck check --from DIR` reads. Run from the repository root:
  scripts/make-vmx-fixtures.py [--shared ../shared]
The output is committed; rerunning it over the same corpus reproduces it byte for byte.
"""
import argparse
import csv
import os
import re
import shutil
import sys

OUT = "Tests/AnalysisTests/Fixtures/vmx-msr-sets"
MSR_COLUMNS = ["msr_3a"] + ["msr_%x" % i for i in range(0x480, 0x491)]


def provenance(sources_md):
    """Per-dump repository path and commit from the corpus SOURCES.md appendix table."""
    rows = {}
    pattern = re.compile(r"^\| `(instlatx64/[^`]+)` \| ([^|]+) \| ([^|]+) \| ([0-9a-f]+) \| ([^|]+) \|")
    with open(sources_md, encoding="utf-8") as f:
        for line in f:
            m = pattern.match(line)
            if m:
                rows[m.group(1)] = {"repo": m.group(2).strip(), "path": m.group(3).strip(),
                                    "commit": m.group(4), "license": m.group(5).strip()}
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared", help="the shared folder holding corpus/")
    args = parser.parse_args()
    corpus = os.path.join(args.shared, "corpus")
    origins = provenance(os.path.join(corpus, "SOURCES.md"))

    with open(os.path.join(corpus, "vmx-msrs-175-cpus.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = [os.path.basename(r["file"])[: -len(".txt")] for r in rows]
    if len(set(names)) != len(names):
        sys.exit("two dumps share a short name")

    if os.path.isdir(OUT):
        for entry in os.listdir(OUT):
            path = os.path.join(OUT, entry)
            if os.path.isdir(path):
                shutil.rmtree(path)
    os.makedirs(OUT, exist_ok=True)

    for row, name in zip(rows, names):
        key = "instlatx64/" + row["file"].split("instlatx64/", 1)[1]
        origin = origins.get(key)
        if origin is None:
            sys.exit("no provenance row for " + key)
        target = os.path.join(OUT, name)
        os.makedirs(target)
        shutil.copyfile(os.path.join(corpus, "cpuid-r", row["file"] + ".cpuid-r.txt"), os.path.join(target, "cpuid.txt"))
        lines = [
            "# VMX capability MSRs of logical CPU 0: %s (%s, CPUID signature %s)" % (row["brand"], row["vendor"], row["signature"]),
            "# From the AIDA64 dump %s of github.com/%s at commit %s (license: %s)," % (origin["path"], origin["repo"], origin["commit"], origin["license"]),
            "# via the virtcheck shared corpus vmx-msrs-175-cpus.csv; written by scripts/make-vmx-fixtures.py.",
            "# MSRs the dump does not contain are not listed.",
        ]
        for column in MSR_COLUMNS:
            value = row[column]
            if value:
                lines.append("0x%08x 0x%016x" % (int(column[4:], 16), int(value, 16)))
        with open(os.path.join(target, "msr.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    print("wrote %d fixture directories to %s" % (len(rows), OUT))


if __name__ == "__main__":
    main()
