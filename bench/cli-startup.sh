#!/usr/bin/env bash
# Start-up and short commands of the `tapekit` tool (issue 14, point 3): the JIT build against the ReadyToRun tool
# package (and native AOT when it builds), whole-process wall time and CPU time, median of RUNS runs per cell. The variants run in
# turn within each round (one run of each, then the next round), so that load from elsewhere falls on all of them alike.
#
# The samples SmallFilesCache and TapeGateway likewise: `dotnet build` output (what `dotnet run` runs) against
# `dotnet publish` (ReadyToRun), on a small demo each.
#
# Usage: bench/cli-startup.sh [RUNS] [--knobs]   (default 15 runs; --knobs adds runtime-setting variants of the R2R
#        package: TieredPGO on, TieredCompilation off, ReadyToRun code ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
knobs=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# 1. JIT: the build output (framework-dependent IL, what `dotnet run` and the tool package ran before).
dotnet build src/TapeKit.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
jit=$PWD/src/TapeKit.Cli/bin/Release/net10.0/TapeKit.Cli
# 2. R2R: the tool package as a user gets it (pack, then `dotnet tool install` picks TapeKit.Cli.linux-x64).
dotnet pack src/TapeKit.Cli -c Release -o "$work/pkg" -nologo -clp:ErrorsOnly >/dev/null
version=$(ls "$work/pkg" | sed -n 's/^TapeKit\.Cli\.\([0-9][^a-z]*\)\.nupkg$/\1/p' | head -1)
(cd "$work" && dotnet tool install --tool-path "$work/tool" --add-source "$work/pkg" TapeKit.Cli --version "$version" >/dev/null)
r2r=$work/tool/tapekit
# 3. Native AOT, if it publishes here (gcc as the linker).
aot=$work/aot/TapeKit.Cli
# Warnings are errors in this repository (trim and AOT analysis included), so a publish that succeeds had none.
if dotnet publish src/TapeKit.Cli -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker=gcc -o "$work/aot" \
        -nologo >"$work/aot.log" 2>&1; then
    echo "native AOT: published, $(grep -cE 'warning (IL|CS)[0-9]+' "$work/aot.log" || true) trim/AOT warnings"
else
    echo "native AOT: did not publish: $(grep -m1 -E 'error' "$work/aot.log" || tail -1 "$work/aot.log")"
    aot=""
fi

# The samples: build output and ReadyToRun publish.
for sample in SmallFilesCache TapeGateway; do
    dotnet build "samples/$sample" -c Release -nologo -clp:ErrorsOnly >/dev/null
    dotnet publish "samples/$sample" -c Release -o "$work/$sample" -nologo -clp:ErrorsOnly >/dev/null
done

# Inputs: one label file, a small tree (100 × 4 KiB) and its tar aggregation.
"$jit" label encode --kind vol1 --vsn ABC123 --out "$work/vol1.lbl"
mkdir -p "$work/tree"
for i in $(seq -w 1 100); do head -c 4096 /dev/urandom >"$work/tree/f$i.bin"; done
"$jit" agg pack --format tar --out "$work/small.tar" "$work/tree" >/dev/null

python3 - "$runs" "$work" "$jit" "$r2r" "$aot" "$knobs" "$PWD" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, work, jit, r2r, aot, knobs, repo = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
variants = [("JIT (build output)", jit, {}), ("ReadyToRun (tool package)", r2r, {})]
if aot:
    variants.append(("native AOT", aot, {}))
if knobs == "--knobs":
    variants += [
        ("R2R, TieredPGO on", r2r, {"DOTNET_TieredPGO": "1"}),
        ("R2R, TieredCompilation off", r2r, {"DOTNET_TieredCompilation": "0"}),
        ("R2R package, all R2R code ignored (the framework's too)", r2r, {"DOTNET_ReadyToRun": "0"}),
    ]
commands = [
    ("--version", ["--version"]),
    ("label decode (1 label)", ["label", "decode", f"{work}/vol1.lbl"]),
    ("agg list (100 × 4 KiB tar)", ["agg", "list", f"{work}/small.tar"]),
    ("agg pack (100 × 4 KiB)", ["agg", "pack", "--format", "tar", "--out", f"{work}/out.tar", f"{work}/tree"]),
]
def once(exe, args, env):
    """Wall and CPU (user + system, the process and its children) milliseconds of one run."""
    e = dict(os.environ, **env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter_ns()
    p = subprocess.run([exe] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=e)
    wall = (time.perf_counter_ns() - t) / 1e6
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"{exe} {' '.join(args)}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return wall, (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1e3

def table(prefix, variants, commands, warmups=2):
    times = {(c, v): [] for c, _ in commands for v, _, _ in variants}
    for name, args in commands:
        for _, exe, env in variants:
            for _ in range(warmups):
                once(exe, args, env)  # warm the page cache
        for _ in range(runs):
            for v, exe, env in variants:
                times[(name, v)].append(once(exe, args, env))
    load = open("/proc/loadavg").read().split()[:3]
    for k, what in ((0, "wall"), (1, "CPU (user + system)")):
        print(f"median {what} ms of {runs} runs (min–max in brackets); load average at the end {' '.join(load)}; {os.cpu_count()} cores")
        print()
        print("| command | " + " | ".join(v for v, _, _ in variants) + " |")
        print("|---|" + "---:|" * len(variants))
        for name, _ in commands:
            cells = []
            for v, _, _ in variants:
                t = [x[k] for x in times[(name, v)]]
                cells.append(f"{statistics.median(t):.0f} ({min(t):.0f}–{max(t):.0f})")
            print(f"| `{prefix}{name}` | " + " | ".join(cells) + " |")
        print()

table("tapekit ", variants, commands)
for sample in ["SmallFilesCache", "TapeGateway"]:
    built = f"{repo}/samples/{sample}/bin/Release/net10.0/{sample}"
    published = f"{work}/{sample}/{sample}"
    table(f"{sample} ", [("JIT (dotnet build)", built, {}), ("ReadyToRun (dotnet publish)", published, {})],
          [("demo --files 100 --recalls 10 --json", ["demo", "--files", "100", "--recalls", "10", "--json"])], warmups=1)
PY
