#!/usr/bin/env bash
# Whole-process wall time of `tapekit agg pack --format tar` against GNU tar and bsdtar writing the same tree to a file
# and making it durable (issue 14): tapekit fsyncs its output before renaming it into place; the tars are followed by
# `sync FILE` (fsync of that file), so all three end in the same durable state. Two trees: 20 000 × 4 KiB and
# 256 × 4 MiB, inputs in the page cache, outputs on the disk under the work directory (not tmpfs: a sync there is free).
#
# The tool runs as a user gets it: packed, installed from the local feed with `dotnet tool install` (the ReadyToRun
# TapeKit.Cli.linux-x64 package). Runs alternate within each round (tapekit, GNU tar, bsdtar, in an order that rotates
# every round), so load from elsewhere falls on all alike; the result is the median of the per-round ratios.
#
# `tapekit agg pack --read-ahead 0` (the serial writer, no feeder) runs in the same rounds, for comparison.
#
# COLD=1 (as root): the page cache is dropped before every run, so the inputs come from the disk, as an archive of a
# disk cache mostly does; without it the inputs are in the page cache.
#
# Usage: bench/agg-pack-vs-gnu-tar.sh [ROUNDS] [WORKDIR]   (default 7 rounds; WORKDIR default: a new directory in /var/tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
base=${2:-/var/tmp}
work=$(mktemp -d "$base/tapekit-pack-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet pack src/TapeKit.Cli -c Release -o "$work/pkg" -nologo -clp:ErrorsOnly >/dev/null
version=$(ls "$work/pkg" | sed -n 's/^TapeKit\.Cli\.\([0-9][^a-z]*\)\.nupkg$/\1/p' | head -1)
(cd "$work" && dotnet tool install --tool-path "$work/tool" --add-source "$work/pkg" TapeKit.Cli --version "$version" >/dev/null)
tapekit=$work/tool/tapekit

make_tree() { # dir count size
    python3 - "$1" "$2" "$3" <<'PY'
import os, sys
root, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    d = os.path.join(root, "dir%03d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "file%05d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
PY
}

make_tree "$work/src/small" 20000 4096
make_tree "$work/src/large" 256 4194304
sync

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tools: $("$tapekit" --version | head -1), $(tar --version | head -1), $(bsdtar --version | head -1)"
echo "output directory: $work (file system $(df --output=fstype "$work" | tail -1)); inputs $([ "${COLD:-0}" = 1 ] && echo "read from the disk (page cache dropped before every run)" || echo "in the page cache")"

run() { # name tree -> milliseconds
    local out=$work/out-$1.tar
    rm -f "$out"
    local start end
    if [ "${COLD:-0}" = 1 ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
    start=$(date +%s%N)
    case $1 in
        tapekit) (cd "$work/src" && "$tapekit" agg pack --format tar --out "$out" "$2" >/dev/null) ;;
        serial) (cd "$work/src" && "$tapekit" agg pack --format tar --read-ahead 0 --out "$out" "$2" >/dev/null) ;;
        gnutar) (cd "$work/src" && tar -cf "$out" -b 512 "$2" && sync "$out") ;;
        bsdtar) (cd "$work/src" && bsdtar -cf "$out" -b 512 "$2" && sync "$out") ;;
    esac
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}

for tree in small large; do
    cat "$work"/src/"$tree"/*/* >/dev/null # warm the page cache
    results=$work/$tree.tsv
    : >"$results"
    for round in $(seq 1 "$rounds"); do
        order=(tapekit gnutar bsdtar serial)
        shift_by=$(( (round - 1) % 4 ))
        order=("${order[@]:$shift_by}" "${order[@]:0:$shift_by}")
        declare -A ms=()
        for tool in "${order[@]}"; do ms[$tool]=$(run "$tool" "$tree"); done
        printf '%s\t%s\t%s\t%s\t%s\n' "$round" "${ms[tapekit]}" "${ms[gnutar]}" "${ms[bsdtar]}" "${ms[serial]}" >>"$results"
        unset ms
    done
    python3 - "$tree" "$results" "$(find "$work/src/$tree" -type f | wc -l)" "$(du -sh --apparent-size "$work/src/$tree" | cut -f1)" <<'PY'
import statistics, sys
tree, path, files, size = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rows = [list(map(int, line.split("\t"))) for line in open(path)]
tk = [r[1] for r in rows]; gt = [r[2] for r in rows]; bt = [r[3] for r in rows]; se = [r[4] for r in rows]
print(f"\n== tree {tree}: {files} files, {size}; {len(rows)} rounds (ms per run: tapekit / GNU tar + sync / bsdtar + sync / tapekit --read-ahead 0)")
for r in rows:
    print(f"   round {r[0]}: {r[1]} / {r[2]} / {r[3]} / {r[4]}")
print("| Tree | tapekit (median ms) | GNU tar + sync | bsdtar + sync | tapekit --read-ahead 0 | tapekit / GNU tar (median of round ratios) | tapekit / bsdtar | serial tapekit / GNU tar |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {files} × {'4 KiB' if tree == 'small' else '4 MiB'} | {statistics.median(tk):.0f} | {statistics.median(gt):.0f} | {statistics.median(bt):.0f} | {statistics.median(se):.0f} "
      f"| {statistics.median([a / b for a, b in zip(tk, gt)]):.2f} | {statistics.median([a / b for a, b in zip(tk, bt)]):.2f} | {statistics.median([a / b for a, b in zip(se, gt)]):.2f} |")
PY
done
