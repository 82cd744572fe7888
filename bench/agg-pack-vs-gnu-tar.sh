#!/usr/bin/env bash
# Whole-process wall time: `tapekit agg pack --format tar` against GNU `tar -cf - -b 512` on the
# same two trees (10 000 × 4 KiB and 256 × 4 MiB), inputs from the page cache, outputs to a file
# in /dev/shm (tmpfs) for both. Uses hyperfine when installed, else a time loop.
# Usage: bench/agg-pack-vs-gnu-tar.sh [RUNS]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
work=$(mktemp -d /dev/shm/tapekit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

dotnet build src/TapeKit.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
tapekit=$PWD/src/TapeKit.Cli/bin/Release/net10.0/TapeKit.Cli
# The same tool compiled ahead of time (native AOT, gcc as linker): no JIT, ~10 ms start-up.
aot=$work/aot/TapeKit.Cli
if dotnet publish src/TapeKit.Cli -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker=gcc \
        -o "$work/aot" -nologo -clp:ErrorsOnly >/dev/null 2>&1; then :; else aot=""; fi

make_tree() { # dir count size
    mkdir -p "$1"
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

src=$(mktemp -d)
trap 'rm -rf "$work" "$src"' EXIT
make_tree "$src/small" 10000 4096
make_tree "$src/large" 256 4194304
cat "$src"/small/*/* "$src"/large/*/* >/dev/null   # warm the page cache

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo "tar: $(tar --version | head -1)"
for tree in small large; do
    echo "== tree $tree: $(find "$src/$tree" -type f | wc -l) files, $(du -sh --apparent-size "$src/$tree" | cut -f1)"
    tk="$tapekit agg pack --format tar --out $work/tk.tar $tree"
    gt="tar -cf - -b 512 $tree > $work/gnu.tar"
    if command -v hyperfine >/dev/null; then
        args=(-n "tapekit agg pack --format tar (JIT)" "$tk")
        [ -n "$aot" ] && args+=(-n "tapekit agg pack --format tar (native AOT)" "$aot agg pack --format tar --out $work/tk.tar $tree")
        (cd "$src" && hyperfine -N -w 2 -r "$runs" --export-markdown "$work/$tree.md" "${args[@]}" -n "tar -cf - -b 512" "bash -c '$gt'" >/dev/null)
        cat "$work/$tree.md"
    else
        for cmd in "$tk" "$gt"; do
            start=$(date +%s.%N)
            for _ in $(seq "$runs"); do (cd "$src" && bash -c "$cmd"); done
            end=$(date +%s.%N)
            echo "$cmd: $(echo "($end - $start) / $runs" | bc -l | cut -c1-6) s"
        done
    fi
done
