#!/usr/bin/env bash
# Counts, per profile, how many captured CPUs pass, fail or stay unknown on the CPU side
# (ProfileResult.cpu), by running `virtcheck check --from FILE --format json` over:
#   - every file of DIR (default ../shared/corpus/cpuid-r, recursively): one `cpuid -r` dump each;
#   - every Tests/AnalysisTests/Fixtures/vmx-msr-sets/<cpu>/ holding cpuid.txt and msr.txt (skipped
#     when that directory does not exist).
# Inputs virtcheck refuses (exit 2) are counted apart. Usage:
#   scripts/profile-verdicts.sh [DIR]        VIRTCHECK=path/to/virtcheck to use another build
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/corpus/cpuid-r}
bin=${VIRTCHECK:-.build/debug/virtcheck}
[ -d "$dir" ] || { echo "profile-verdicts: no directory $dir" >&2; exit 2; }
command -v jq >/dev/null || { echo "profile-verdicts: needs jq" >&2; exit 2; }
[ -x "$bin" ] || swift build --product virtcheck >&2

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One line per input: "profile cpu-status" for every profile, or "!refused" when exit 2.
judge() {
    local name=$1; shift
    local json rc=0
    json=$("$bin" check "$@" --format json 2>/dev/null) || rc=$?
    if [ "$rc" = 2 ] || [ -z "$json" ]; then
        echo '!refused'
    else
        jq -r '.profiles[] | "\(.id) \(.cpu)"' <<<"$json"
    fi >"$out/$name"
}
export -f judge
export bin out

find "$dir" -type f -print0 | sort -z | xargs -0 -P 2 -I{} bash -c 'judge "$(printf %s "$1" | md5sum | cut -c1-16)" --from "$1"' _ {}
sets=0
if [ -d Tests/AnalysisTests/Fixtures/vmx-msr-sets ]; then
    for d in Tests/AnalysisTests/Fixtures/vmx-msr-sets/*/; do
        [ -f "$d/cpuid.txt" ] && [ -f "$d/msr.txt" ] || continue
        judge "set-$(basename "$d")" --from "$d/cpuid.txt" --from "$d/msr.txt"
        sets=$((sets + 1))
    done
fi

inputs=$(find "$out" -type f | wc -l)
refused=$( (grep -l "^!refused" "$out"/* 2>/dev/null || true) | wc -l)
echo "inputs: $inputs ($(find "$dir" -type f | wc -l) files of $dir, $sets VMX MSR sets); refused (exit 2): $refused"
echo "CPU-side verdict per profile (ProfileResult.cpu):"
cat "$out"/* | (grep -v "^!" || true) | awk '
    { seen[$1] = 1; n[$1, $2]++; if (!($1 in order)) { order[$1] = ++k; ids[k] = $1 } }
    END {
        printf "  %-11s %6s %6s %8s\n", "profile", "pass", "fail", "unknown"
        for (i = 1; i <= k; i++) { p = ids[i]; printf "  %-11s %6d %6d %8d\n", p, n[p, "pass"], n[p, "fail"], n[p, "unknown"] }
    }'
