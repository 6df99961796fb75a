#!/usr/bin/env bash
# Makes .venv with the pinned moto server and cfn-lint (whose resource schemas the IAM test reads),
# and, with --awscli, .venv-awscli with the aws CLI (apart: it pins its own botocore).
# Used by test.sh and bench-status.sh; does nothing when the venv is already right.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.5
CFN_LINT_VERSION=1.58.0
if ! .venv/bin/python -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null \
    || [ ! -x .venv/bin/moto_server ]; then
    echo "moto-venv.sh: installing moto $MOTO_VERSION into .venv" >&2
    if ! python3 -m venv .venv 2>/dev/null; then
        if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv .venv
    fi
    .venv/bin/pip install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
if ! .venv/bin/python -c "import cfnlint.version as v, sys; sys.exit(v.__version__ != '$CFN_LINT_VERSION')" 2>/dev/null \
    || [ ! -x .venv/bin/cfn-lint ]; then
    echo "moto-venv.sh: installing cfn-lint $CFN_LINT_VERSION into .venv" >&2
    .venv/bin/pip install -q --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
fi
if [ "${1:-}" = "--awscli" ] && [ ! -x .venv-awscli/bin/aws ]; then
    echo "moto-venv.sh: installing the aws CLI into .venv-awscli" >&2
    python3 -m venv .venv-awscli
    .venv-awscli/bin/pip install -q --disable-pip-version-check awscli
fi
