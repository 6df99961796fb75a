#!/usr/bin/env bash
# Runs every test: unit, integration (reducer, render snapshots, simulator, CLI, config
# fixtures, the AWS backend against a moto server and SDK mocks) and the end-to-end test of
# the binary in tmux. Installs what the tests need on a fresh machine: tmux, and moto in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v tmux >/dev/null 2>&1; then
    echo "test.sh: installing tmux for the end-to-end test" >&2
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq tmux >/dev/null
fi

# moto, pinned, in .venv: the AWS tests start its server on 127.0.0.1 and fail without it.
bash scripts/moto-venv.sh

export INSTA_UPDATE=no
# The benchmarks run once each as smoke tests, then every test target.
cargo test --locked --bench render --bench fleet --bench update --bench events
cargo test --locked --lib --bins --tests "$@"
