#!/usr/bin/env bash
# Fuzzes one TapeKit boundary with afl++ for a while (docs/fuzzing.md):
#
#   tests/TapeKit.Fuzz/fuzz.sh TARGET SECONDS     one target, e.g. fuzz.sh tar 600
#   tests/TapeKit.Fuzz/fuzz.sh all SECONDS        every target in turn, SECONDS each
#   tests/TapeKit.Fuzz/fuzz.sh list               the targets
#
# Needs afl++ (Debian: apt-get install -y afl++) and the SharpFuzz tool
# (dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0). Publishes the harness to $TAPEKIT_FUZZ_OUT
# (default artifacts/fuzz), instruments TapeKit.dll and TapeKit.Hsm.dll there with sharpfuzz, starts from the seed
# corpus and the regression inputs of the target, and prints one line per target: inputs executed, crashes, hangs,
# read from afl's fuzzer_stats. Each crash and hang is replayed in-process at the end so its exception is shown;
# copy the ones you fix into regressions/TARGET/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${TAPEKIT_FUZZ_OUT:-$repo/artifacts/fuzz}
export PATH="$PATH:$HOME/.dotnet/tools"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() { echo "usage: $0 TARGET|all SECONDS  |  $0 list" >&2; exit 2; }
[ $# -ge 1 ] || usage

publish() {
    # A fresh publish every time: sharpfuzz instruments in place and refuses an assembly it already instrumented.
    # plain/ stays uninstrumented for replaying findings: instrumented code writes to afl's shared memory, which
    # exists only under afl-fuzz (outside it, the first instrumented branch is an access violation).
    rm -rf "$out/bin" "$out/plain"
    dotnet publish "$here/TapeKit.Fuzz.csproj" -c Release -o "$out/plain" -nologo -v quiet -clp:ErrorsOnly >/dev/null
    cp -r "$out/plain" "$out/bin"
}

if [ "$1" = list ]; then
    publish
    dotnet "$out/plain/TapeKit.Fuzz.dll" list
    exit 0
fi
[ $# -eq 2 ] || usage
target=$1
seconds=$2

command -v afl-fuzz >/dev/null || { echo "fuzz.sh: afl-fuzz not found; install afl++ (apt-get install -y afl++)" >&2; exit 2; }
command -v sharpfuzz >/dev/null || { echo "fuzz.sh: sharpfuzz not found; dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2; exit 2; }

publish
for dll in TapeKit.dll TapeKit.Hsm.dll; do
    sharpfuzz "$out/bin/$dll" >/dev/null
done
harness="$out/bin/TapeKit.Fuzz.dll"
plain="$out/plain/TapeKit.Fuzz.dll"
if [ "$target" = all ]; then
    targets=$(dotnet "$plain" list | awk '{ print $1 }')
else
    targets=$target
fi

# afl-fuzz checks that do not apply to a managed target, or to a shared machine.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
# The runtime takes a while to start; then every input must finish in 5 s (-t) or it is a hang.
export AFL_FORKSRV_INIT_TMOUT=60000
# A backstop under the harness's own allocation check: a heap past 2 GiB is an OutOfMemoryException, a crash.
export DOTNET_GCHeapHardLimit=0x80000000

mkdir -p "$out"
results="$out/results.tsv"
[ -f "$results" ] || printf 'date\ttarget\tseconds\texecs\tcrashes\thangs\tcorpus\n' >"$results"
printf '%-14s %8s %12s %8s %8s %8s\n' target seconds execs crashes hangs corpus
for t in $targets; do
    in="$out/in/$t"
    findings="$out/findings/$t"
    rm -rf "$in" "$findings"
    mkdir -p "$in" "$out/findings"
    for d in "$here/corpus/$t" "$here/regressions/$t"; do
        [ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$in/" \;
    done
    if [ -z "$(ls -A "$in")" ]; then
        echo "fuzz.sh: no seeds for $t; run: dotnet run --project $here -c Release -- seed" >&2
        exit 2
    fi
    afl-fuzz -i "$in" -o "$findings" -t 5000 -m none -V "$seconds" -- dotnet "$harness" afl "$t" >"$out/afl-$t.log" 2>&1 || {
        echo "fuzz.sh: afl-fuzz failed for $t; the end of $out/afl-$t.log:" >&2
        tail -n 20 "$out/afl-$t.log" >&2
        exit 1
    }
    stats="$findings/default/fuzzer_stats"
    stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
    execs=$(stat execs_done)
    crashes=$(stat saved_crashes); crashes=${crashes:-$(stat unique_crashes)}
    hangs=$(stat saved_hangs); hangs=${hangs:-$(stat unique_hangs)}
    corpus=$(stat corpus_count); corpus=${corpus:-$(stat paths_total)}
    printf '%-14s %8s %12s %8s %8s %8s\n' "$t" "$seconds" "$execs" "$crashes" "$hangs" "$corpus"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$seconds" "$execs" "$crashes" "$hangs" "$corpus" >>"$results"
    for kind in crashes hangs; do
        if compgen -G "$findings/default/$kind/id:*" >/dev/null; then
            echo "--- $t: $kind, replayed in-process (one line per input; the full traces: dotnet $plain run $t FILE)"
            dotnet "$plain" run "$t" "$findings"/default/"$kind"/id:* | grep -v '^   at ' || true
        fi
    done
done
