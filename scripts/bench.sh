#!/usr/bin/env bash
# Benchmarks of the whole program, measured from outside (tmux and /proc):
#   - time to first frame of `crossdeck demo`, from the log (process start -> first draw) and
#     from tmux (launch -> screen shows the dashboard), with tmux's own round trip as baseline;
#   - idle CPU over 30 s (nothing pressed) and RSS, for the default demo and for 300 participants.
# Then the criterion suites: `cargo bench --bench render` (drawing, the timeline, one poll applied) and
# `cargo bench --bench update` (900 accounts read from the simulator and applied, per second).
# Usage: scripts/bench.sh [--no-criterion]   (honours CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v tmux >/dev/null || { echo "bench.sh needs tmux (apt-get install tmux)" >&2; exit 1; }
cargo build --release --locked --quiet
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/crossdeck"
SOCK="crossdeck-bench-$$"
WORK="$(mktemp -d)"
tm() { tmux -L "$SOCK" "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

now_ns() { date +%s%N; }

# Milliseconds from launching `$1` in a fresh 120x40 pane until the screen contains `$2`.
time_to_screen() {
    local cmd="$1" want="$2" start end
    tm kill-server 2>/dev/null || true
    start=$(now_ns)
    tm new-session -d -s b -x 120 -y 40 "$cmd"
    until tm capture-pane -p -t b 2>/dev/null | grep -q -- "$want"; do
        sleep 0.002
        if (( ($(now_ns) - start) > 20000000000 )); then echo "timeout waiting for $want" >&2; return 1; fi
    done
    end=$(now_ns)
    tm kill-server 2>/dev/null || true
    echo $(( (end - start) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "== time to first frame (5 runs each, median) =="
for i in 1 2 3 4 5; do time_to_screen "sh -c 'echo READY; sleep 5'" READY; done | median > "$WORK/base"
for i in 1 2 3 4 5; do
    time_to_screen "$BIN demo --log-file $WORK/ttff.log" SIMULATED
done | median > "$WORK/ttff"
internal_us=$(grep -o 'elapsed_us=[0-9]*' "$WORK/ttff.log" | cut -d= -f2 | median)
base=$(cat "$WORK/base"); ttff=$(cat "$WORK/ttff")
echo "tmux round trip (shell echo):     ${base} ms"
echo "demo launch -> dashboard on tmux:  ${ttff} ms (ratio to the shell baseline: $(awk -v a="$ttff" -v b="$base" 'BEGIN{printf "%.2f", a/(b>0?b:1)}'))"
echo "process start -> first draw (log): $(awk -v u="$internal_us" 'BEGIN{printf "%.2f", u/1000}') ms (ratio to a 60 Hz frame: $(awk -v u="$internal_us" 'BEGIN{printf "%.3f", u/16667}'))"

# Idle CPU (% of one core) and RSS of the demo over 30 s with nothing pressed, read from
# /proc/PID of the crossdeck process itself (the pane runs it with exec, and its name is checked).
idle() {
    local args="$1" pid t0 t1 ticks hz rss
    tm kill-server 2>/dev/null || true
    tm new-session -d -s i -x 160 -y 48 "exec $BIN demo $args --log-file $WORK/idle.log"
    sleep 3
    pid=$(tm display-message -p -t i '#{pane_pid}')
    if [ "$(cat "/proc/$pid/comm")" != crossdeck ]; then
        echo "pane process $pid is $(cat "/proc/$pid/comm"), not crossdeck" >&2; return 1
    fi
    hz=$(getconf CLK_TCK)
    t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
    sleep 30
    t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    ticks=$((t1 - t0))
    tm kill-server 2>/dev/null || true
    echo "demo $args: CPU $(awk -v t="$ticks" -v h="$hz" 'BEGIN{printf "%.2f", 100*t/h/30}')% of a core over 30 s, RSS $((rss / 1024)) MB"
}
echo "== idle CPU and memory =="
idle ""
idle "--participants 300"

if [ "${1:-}" != "--no-criterion" ]; then
    for bench in render update; do
        echo "== criterion: cargo bench --bench $bench =="
        cargo bench --locked --bench "$bench" 2>&1 | grep -E '^[a-z_0-9/]+ +time:|^[a-z_0-9x/]+$|time:|thrpt:|change in'
    done
fi
