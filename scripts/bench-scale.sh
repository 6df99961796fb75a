#!/usr/bin/env bash
# The dashboard on the real AWS backend at class scale: seeds the largest N labs (3 accounts
# each) into one moto server, and for each N given runs `crossdeck --read-only` on the first N
# labs in tmux with `steady_secs = 30`; once every account has been read it prints the crossdeck
# process's resident memory and its CPU over a steady minute, for the accounts reached through a
# `[roster]` (one source profile) and through a profile per account.
# Usage: scripts/bench-scale.sh [N ...] (default 20). Honours CARGO_TARGET_DIR;
# STEADY_SECS sets the measured window (default 60); CROSSDECK_BIN measures another build of the
# binary instead of building this checkout's; SETTLE_SECS (default 40) is how long after the start
# the window begins (past 300 s, accounts unchanged for 5 minutes have slowed down as configured);
# ONLY=roster or ONLY=profiles measures one way of reaching the accounts; HEAP_PROFILE=1 also runs
# `status --json` of each configuration under valgrind's massif and prints the largest allocation
# sites at its peak (HEAP_PROFILE_DIR keeps massif's files there). The calls made in the window
# are counted by moto's request recorder (every HTTP request it received, AssumeRole included),
# which gives the CPU per read call. PERF_DIR=DIR records the window's CPU profile (perf record
# -g) into DIR/perf.<name>.<N>.data; KEEPALIVE=1 makes moto answer in HTTP/1.1 and keep
# connections open, as AWS does; DOCUMENTED=1 has moto answer GetBucketVersioning and GetPipeline
# in the shape AWS documents (tests/moto/server.py), so every read the SDK can parse is cached as
# on AWS; CROSSDECK_ENV adds environment variables to the measured process. The AWS config file
# holds the profiles of the largest class at every size, so what it costs to load is the same
# in each run and the difference between sizes is the accounts'.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("${@:-20}")
MAX=0
for n in "${SIZES[@]}"; do [ "$n" -gt "$MAX" ] && MAX="$n"; done
WINDOW="${STEADY_SECS:-60}"

SESSION="crossdeck-scale-$$"
# shellcheck source=scripts/bench-moto.sh
source scripts/bench-moto.sh

ids() { printf '1%011d 2%011d 3%011d' "$1" "$1" "$1"; }
echo "seeding $MAX labs into moto…" >&2
for i in $(seq 1 "$MAX"); do
    read -r T D S <<<"$(ids "$i")"
    echo "--endpoint $URL --uid u$i --tools $T --ds $D --stage $S"
done | xargs -P 3 -L 1 .venv/bin/python tests/moto/seed_lab.py >/dev/null
printf '[profile instructor]\nregion = us-east-1\n' > "$WORK/aws_config"
printf '[instructor]\naws_access_key_id = AKIABENCH00000000001\naws_secret_access_key = secret\n' > "$WORK/aws_credentials"
for i in $(seq 1 "$MAX"); do
    read -r T D S <<<"$(ids "$i")"
    for pair in "tools:$T" "datascience:$D" "stage:$S"; do
        role="${pair%%:*}" id="${pair##*:}"
        printf '[profile lab%s-%s]\nregion = us-east-1\nrole_arn = arn:aws:iam::%s:role/OrganizationAccountAccessRole\nsource_profile = instructor\n' \
            "$i" "$role" "$id" >> "$WORK/aws_config"
    done
done
# The configurations of the first N labs: roster.N.toml and profiles.N.toml.
# One attempt per call: moto answers the operations it lacks (SearchProvisionedProducts,
# GetPipelineState) with HTTP 500, and retrying those would count three calls for one.
configs() {
    local n="$1" i T D S
    echo "name,unique_id,tools,datascience,stage" > "$WORK/class.$n.csv"
    : > "$WORK/labs.$n.toml"
    for i in $(seq 1 "$n"); do
        read -r T D S <<<"$(ids "$i")"
        echo "lab$i,u$i,$T,$D,$S" >> "$WORK/class.$n.csv"
        {
            echo "[[labs]]"
            echo "name = \"lab$i\""
            echo "unique_id = \"u$i\""
            echo "tools = { account_id = \"$T\", profile = \"lab$i-tools\" }"
            echo "datascience = { account_id = \"$D\", profile = \"lab$i-datascience\" }"
            echo "stage = { account_id = \"$S\", profile = \"lab$i-stage\" }"
        } >> "$WORK/labs.$n.toml"
    done
    common() {
        echo "region = \"us-east-1\""
        echo "endpoint_url = \"$URL\""
        echo "max_attempts = 1"
        echo "read_only = true"
        echo "[polling]"
        echo "steady_secs = 30"
    }
    { common; printf '[roster]\nfile = "%s/class.%s.csv"\nrole_name = "OrganizationAccountAccessRole"\nsource_profile = "instructor"\n' "$WORK" "$n"; } > "$WORK/roster.$n.toml"
    { common; cat "$WORK/labs.$n.toml"; } > "$WORK/profiles.$n.toml"
}
export AWS_CONFIG_FILE="$WORK/aws_config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws_credentials"
# AWS_ENDPOINT_URL reaches the STS client of aws-config's own profile role chains too.
export AWS_EC2_METADATA_DISABLED=true HOME="$WORK" AWS_ENDPOINT_URL="$URL"
TICKS="$(getconf CLK_TCK)"

# Warm moto's lazy loading, and check that both configurations of N labs read every account.
check_reads() {
    local config
    for config in roster profiles; do
        "$BIN" status --json --config "$WORK/$config.$N.toml" > "$WORK/$config.json"
        .venv/bin/python - "$WORK/$config.json" "$N" "$config" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["labs"]) == int(sys.argv[2]), "every lab reported"
for lab in r["labs"]:
    for role, acct in lab["accounts"].items():
        assert acct["error"] is None, (sys.argv[3], lab["name"], role, acct["error"])
PY
    done
}

# Where the heap goes: massif's peak snapshot of one read of the class, by what it serves.
heap_profile() {
    local name="$1" config="$2" out="$WORK/massif.$1"
    valgrind --tool=massif --depth=60 --threshold=0.1 --massif-out-file="$out" \
        "$BIN" status --json --config "$config" > /dev/null 2> "$WORK/valgrind.$name"
    echo "== heap profile, $name (massif, peak of one status --json read of $N labs):"
    .venv/bin/python scripts/massif_breakdown.py "$out"
    if [ -n "${HEAP_PROFILE_DIR:-}" ]; then cp "$out" "$HEAP_PROFILE_DIR/massif.$name.$N"; fi
}

measure() {
    local name="$1" config="$2" pid rss0 rss cpu0 cpu1 t0 t1 accounts=$((N * 3))
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    tmux new-session -d -s "$SESSION" -x 200 -y 60 \
        "${CROSSDECK_ENV:-} AWS_CONFIG_FILE=$AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE=$AWS_SHARED_CREDENTIALS_FILE HOME=$HOME AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL=$URL $BIN --config $config --log-file $WORK/$name.log"
    pid=""
    for _ in $(seq 1 100); do
        pid="$(pgrep -f "^$BIN --config $config" | head -1 || true)"
        [ -n "$pid" ] && break
        sleep 0.1
    done
    [ -n "$pid" ] || { echo "crossdeck did not start" >&2; exit 1; }
    # The first reads of every account are spread over the first steady interval; wait it out,
    # then the window is steady polling alone.
    sleep "${SETTLE_SECS:-40}"
    cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
    recorder() { curl -sf "$URL/moto-api/recorder/$1" >/dev/null; }
    recorder reset-recording; recorder start-recording
    cpu0="$(cpu)"; t0="$(date +%s%3N)"
    if [ -n "${PERF_DIR:-}" ]; then
        perf record -F 499 -g -p "$pid" -o "$PERF_DIR/perf.$name.$N.data" -- sleep "$WINDOW" 2>/dev/null
    else
        sleep "$WINDOW"
    fi
    cpu1="$(cpu)"; t1="$(date +%s%3N)"
    recorder stop-recording
    local calls
    calls="$(grep -c . "$WORK/recording" || true)"
    rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
    rss0="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
    local screen
    screen="$(tmux capture-pane -p -t "$SESSION")"
    tmux send-keys -t "$SESSION" q
    sleep 1
    awk -v n="$name" -v a="$accounts" -v rss="$rss" -v hwm="$rss0" -v c0="$cpu0" -v c1="$cpu1" \
        -v t0="$t0" -v t1="$t1" -v hz="$TICKS" -v calls="$calls" 'BEGIN {
        secs = (c1 - c0) / hz
        cpu = secs / ((t1 - t0) / 1000) * 100
        printf "%-9s %4d labs %5d accounts  RSS %7.1f MB (peak %7.1f)  %6.1f KB/account  CPU %5.2f%% of a core\n",
            n, a / 3, a, rss / 1024, hwm / 1024, rss / a, cpu
        printf "          %d calls in %.0f s, %.2f s of CPU: %s ms of CPU per call\n",
            calls, (t1 - t0) / 1000, secs, (calls > 0 ? sprintf("%.2f", secs * 1000 / calls) : "-") }'
    if [ "$calls" -gt 0 ]; then
        .venv/bin/python tests/moto/recorded_ops.py "$WORK/recording" | .venv/bin/python -c '
import collections, json, sys
ops = collections.Counter(c["op"].split(" ")[0] for c in json.load(sys.stdin))
print("          by operation: " + ", ".join(f"{op} {n}" for op, n in ops.most_common()))'
    fi
    if ! grep -q "lab1 " <<<"$screen"; then
        echo "  (warning: the fleet did not show lab1 at the end)" >&2
    fi
}
for N in "${SIZES[@]}"; do
    configs "$N"
    check_reads
    if [ "${HEAP_PROFILE:-0}" = 1 ]; then
        heap_profile roster "$WORK/roster.$N.toml"
        heap_profile profiles "$WORK/profiles.$N.toml"
    fi
    if [ "${ONLY:-}" != profiles ]; then measure roster "$WORK/roster.$N.toml"; fi
    if [ "${ONLY:-}" != roster ]; then measure profiles "$WORK/profiles.$N.toml"; fi
done
