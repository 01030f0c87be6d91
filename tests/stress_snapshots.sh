#!/usr/bin/env bash
# Every snapshot module (tests/test_snapshots_*.py), RUNS times in a row (default 20), while `stress-ng --cpu LOAD` (default 2)
# keeps every core busy; stops at the first failing run (its output is kept). The load is stopped
# when the script ends, however it ends.
#
#   tests/stress_snapshots.sh            # 20 runs under 2 CPU hogs
#   RUNS=5 LOAD=4 tests/stress_snapshots.sh
#
# Without stress-ng (apt-get install stress-ng) the load is LOAD python busy loops.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
LOAD=${LOAD:-2}
MODULES=(tests/test_snapshots_*.py)

if command -v stress-ng >/dev/null 2>&1; then
    stress-ng --cpu "$LOAD" --quiet &
else
    # daemon workers: ended by multiprocessing when the parent exits on SIGTERM (sys.exit)
    python -c "
import multiprocessing as mp, signal, sys
def spin():
    while True: pass
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
ps = [mp.Process(target=spin, daemon=True) for _ in range($LOAD)]
[p.start() for p in ps]; [p.join() for p in ps]" &
fi
load_pid=$!
trap 'kill -- "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null || true' EXIT

log=$(mktemp -t ebok-snapshot-stress.XXXXXX)
for i in $(seq 1 "$RUNS"); do
    start=$SECONDS
    if PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" python -m pytest -q -p no:cacheprovider "${MODULES[@]}" >"$log" 2>&1; then
        echo "run $i/$RUNS: $(tail -n 1 "$log") ($((SECONDS - start)) s)"
    else
        echo "run $i/$RUNS FAILED ($((SECONDS - start)) s); output in $log:"
        grep -E "^(FAILED|ERROR)" "$log" || tail -n 30 "$log"
        exit 1
    fi
done
rm -f "$log"
echo "$RUNS/$RUNS runs passed under load"
