# Sourced by the bench scripts that run the dashboard on moto: moto and cfn-lint in .venv, the
# release binary (CROSSDECK_BIN measures another build; honours CARGO_TARGET_DIR), a scratch
# directory WORK, a moto server at URL recording its requests into $WORK/recording (KEEPALIVE=1:
# answering in HTTP/1.1 with connections kept open, as AWS does; moto's own server speaks
# HTTP/1.0 and closes every connection; DOCUMENTED=1: GetBucketVersioning and GetPipeline
# answered in the shape AWS documents, see tests/moto/server.py), and on exit the tmux session
# SESSION, moto and WORK removed. The caller sets SESSION first.
bash scripts/moto-venv.sh
if [ -z "${CROSSDECK_BIN:-}" ]; then
    cargo build --release --locked --quiet
fi
BIN="${CROSSDECK_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/crossdeck}"
WORK="$(mktemp -d)"
PORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
export MOTO_RECORDER_FILEPATH="$WORK/recording"
SERVER_FLAGS=()
[ "${KEEPALIVE:-0}" = 1 ] && SERVER_FLAGS+=(--keepalive)
[ "${DOCUMENTED:-0}" = 1 ] && SERVER_FLAGS+=(--documented)
.venv/bin/python tests/moto/server.py "${SERVER_FLAGS[@]}" -H 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
MOTO=$!
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    kill "$MOTO" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
until curl -sf "$URL/moto-api/" >/dev/null 2>&1; do sleep 0.1; done
