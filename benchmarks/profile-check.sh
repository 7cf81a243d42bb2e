#!/usr/bin/env bash
# Instruction counts (valgrind's callgrind: repeatable on a loaded machine, unlike wall time) of
# `check` (parent; its one child, the CPL3 probes and the guest run, is profiled apart as
# `__guest-run --cpl3-probes --supported-cpuid`, as `check` starts it, its descriptors 3 and 4 on
# /dev/null), `check --no-guest`, `check --from` the Data/hosts capture and
# `capture --no-guest`, with the inclusive cost of the hot spots of issue 16.
#   benchmarks/profile-check.sh [binary]     (default: the release build of scripts/build-release)
# PROFILE_KEEP=DIR keeps the callgrind files there (callgrind_annotate --inclusive=yes DIR/NAME.cg).
# valgrind 3.19 cannot read the DWARF 5 that Swift emits, so a copy without debug info (symbols
# kept) is profiled.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps valgrind
bin=${1:-}
[ -n "$bin" ] || bin=$(scripts/build-release)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
keep=${PROFILE_KEEP:-}
if [ -n "$keep" ]; then mkdir -p "$keep"; fi
objcopy --strip-debug "$bin" "$work/virtcheck"
capture=$(ls Data/hosts/*.json | head -1)
profile() {
  local name=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$work/$name.cg" "$work/virtcheck" "$@" >/dev/null 2>"$work/$name.log" || true
  local total
  total=$(callgrind_annotate --inclusive=yes "$work/$name.cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {print $1}')
  echo "$name: $total instructions"
  if [ -n "$keep" ]; then cp "$work/$name.cg" "$keep/"; fi
  callgrind_annotate --inclusive=yes "$work/$name.cg" 2>/dev/null \
    | grep -E 'JSONRendererVAA14ReportRenderer|AssessorO13prepareTables|readOnDemand|HostRootV8readText|JSONRendererO6render|pci_load_name_list|TSVTableV|ProfileEvaluatorO8profiles_WZ|RuleCatalogueV7builtIn_WZ|AssessorO6assess|LiveB0O8snapshot|OfflineLoaderO4load|SnapshotCodingO6encode|SnapshotCodingO16escapingControls|JSONValueO5quote|parseAsRoot|SnapshotCoding|JSONReader|JSONTreeDecoder|ReportEncoder|JSONValueO10serialized|PCIIDsScan|OfflineLoaderO14decodeSnapshot|JSONTreeEncoder|Cpl3ProberO3run' \
    | awk '{ sub(/\[.*$/, ""); print "  " $0 }' | cut -c1-150 || true
}
profile check check --format json --output "$work/report.json"
profile check-no-guest check --no-guest --format json --output "$work/report.json"
profile check-from check --from "$capture" --format json --output "$work/report.json"
profile capture-no-guest capture --no-guest --output "$work/capture.json"
profile guest-run-child __guest-run --time-limit-ms 8000 --cpl3-probes --supported-cpuid 3>/dev/null 4>/dev/null
