#!/usr/bin/env bash
# The README's main job (the SmallFilesCache demo) of two builds in turn: a commit given as the first argument, built in
# a temporary worktree, and the working tree. Prints one line per run with the wall time and `phaseSeconds`, and checks
# that both give the same figures (efficiency, files verified). Runs are 40 s apart: ext4 passes over inodes freed less
# than 35 s earlier when it allocates new ones, so back-to-back runs of a demo that creates and deletes 10 000 files
# slow each other down.
#
# Usage: bench/demo-ab.sh COMMIT [ROUNDS]   (default 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
commit=${1:?usage: bench/demo-ab.sh COMMIT [ROUNDS]}
rounds=${2:-3}
old=$(mktemp -d /var/tmp/tapekit-demo-ab.XXXXXX)
trap 'git worktree remove --force "$old" >/dev/null 2>&1 || rm -rf "$old"' EXIT
git worktree add -f "$old" "$commit" -q
(cd "$old" && dotnet build samples/SmallFilesCache -c Release -nologo -clp:ErrorsOnly >/dev/null)
dotnet build samples/SmallFilesCache -c Release -nologo -clp:ErrorsOnly >/dev/null
for r in $(seq 1 "$rounds"); do
    for build in "$commit" working-tree; do
        sleep 40
        root=$([ "$build" = working-tree ] && pwd || echo "$old")
        (cd /var/tmp && dotnet "$root/samples/SmallFilesCache/bin/Release/net10.0/SmallFilesCache.dll" demo --json 2>/dev/null) |
            python3 -c "import json,sys; d=json.load(sys.stdin); p=d['phaseSeconds']; print('$r', '$build', d['wallSeconds'], ' '.join(f'{k}={v}' for k,v in p.items()), 'efficiency', d['driveEfficiency'], 'verified', d['filesVerified'], 'lost', d['filesLost'])"
    done
done
