#!/usr/bin/env bash
# `crossdeck status --json` for N labs (3 accounts each) seeded into a moto server, against a
# shell script that makes the same calls one by one with the aws CLI. Prints the medians and
# their ratio. Usage: scripts/bench-status.sh [LABS] (default 1; issue figures use 1 and 10).
# Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
LABS="${1:-1}"
RUNS=5
# aws CLI runs (each is slow: about one second per call); the median is reported.
CLI_RUNS="${CLI_RUNS:-3}"

bash scripts/moto-venv.sh --awscli
cargo build --release --locked --quiet
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/crossdeck"
AWS="$PWD/.venv-awscli/bin/aws"
WORK="$(mktemp -d)"
PORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
.venv/bin/moto_server -H 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
MOTO=$!
cleanup() { kill "$MOTO" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
until curl -sf "$URL/moto-api/" >/dev/null 2>&1; do sleep 0.1; done

ids() { printf '1000000000%02d 2000000000%02d 3000000000%02d' "$1" "$1" "$1"; }

{
    echo "region = \"us-east-1\""
    echo "endpoint_url = \"$URL\""
    echo "max_attempts = 1"
    echo "[polling]"
    echo "max_concurrency = 16"
} > "$WORK/crossdeck.toml"
for i in $(seq 1 "$LABS"); do
    read -r T D S <<<"$(ids "$i")"
    .venv/bin/python tests/moto/seed_lab.py --endpoint "$URL" --uid "u$i" --tools "$T" --ds "$D" --stage "$S" >/dev/null
    role() { echo "{ account_id = \"$1\", role_arn = \"arn:aws:iam::$1:role/OrganizationAccountAccessRole\", source_profile = \"instructor\" }"; }
    {
        echo "[[labs]]"
        echo "name = \"lab$i\""
        echo "unique_id = \"u$i\""
        echo "tools = $(role "$T")"
        echo "datascience = $(role "$D")"
        echo "stage = $(role "$S")"
    } >> "$WORK/crossdeck.toml"
done
printf '[profile instructor]\nregion = us-east-1\n' > "$WORK/aws_config"
printf '[instructor]\naws_access_key_id = AKIABENCH00000000001\naws_secret_access_key = secret\n' > "$WORK/aws_credentials"
export AWS_CONFIG_FILE="$WORK/aws_config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws_credentials"
export AWS_EC2_METADATA_DISABLED=true HOME="$WORK"

# The same calls, as a participant or instructor would script them: per account, AssumeRole,
# then the reads crossdeck's first poll makes there.
cat > "$WORK/calls.sh" <<SH
#!/usr/bin/env bash
a() { "$AWS" --endpoint-url "$URL" --region us-east-1 --output json "\$@" >/dev/null 2>&1 || true; }
as() {
    local c
    c=\$(AWS_PROFILE=instructor "$AWS" --endpoint-url "$URL" --region us-east-1 sts assume-role \
        --role-arn "arn:aws:iam::\$1:role/OrganizationAccountAccessRole" --role-session-name bench \
        --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
    read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<<"\$c"
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
}
for i in \$(seq 1 $LABS); do
    T=\$(printf '1000000000%02d' \$i); D=\$(printf '2000000000%02d' \$i); S=\$(printf '3000000000%02d' \$i)
    P=\$(printf 'MLOpsPipeline-CodePipeline-U%dSEED' \$i)
    as \$T
    a sts get-caller-identity
    a cloudformation describe-stacks
    PORT_ID=\$("$AWS" --endpoint-url "$URL" --region us-east-1 cloudformation describe-stacks --stack-name LabSCToolsAccountSetup --query "Stacks[0].Outputs[?OutputKey=='MasterPortfolioId'].OutputValue" --output text 2>/dev/null || true)
    a servicecatalog describe-portfolio-shares --portfolio-id "\$PORT_ID" --type ACCOUNT
    a codepipeline get-pipeline-state --name \$P
    a codepipeline get-pipeline --name \$P
    a codepipeline list-pipeline-executions --pipeline-name \$P --max-items 5
    a sagemaker list-endpoints --name-contains datascience-project-
    a sagemaker describe-endpoint --endpoint-name datascience-project-2026-11-27-09-00-00-Tools
    a sagemaker describe-endpoint-config --endpoint-config-name datascience-project-2026-11-27-09-00-00-Tools
    a s3api list-objects-v2 --bucket mlops-bia-lambda-functions-\$T --prefix MLOps-BIA-
    a s3api get-bucket-versioning --bucket mlops-bia-lambda-functions-\$T
    a s3api list-objects-v2 --bucket mlops-bia-data-model-\$T --prefix models/model.tar.gz
    a s3api get-bucket-versioning --bucket mlops-bia-data-model-\$T
    a s3api list-buckets
    a s3api get-bucket-versioning --bucket mlops-bia-codepipeline-artifacts-u\$i-x1y2z3
    as \$D
    a sts get-caller-identity
    a cloudformation describe-stacks
    a servicecatalog search-provisioned-products
    a sagemaker list-notebook-instances
    as \$S
    a sts get-caller-identity
    a cloudformation describe-stacks
    a sagemaker list-endpoints --name-contains datascience-project-
    a sagemaker describe-endpoint --endpoint-name datascience-project-2026-11-27-09-00-00-Stage
    a sagemaker describe-endpoint-config --endpoint-config-name datascience-project-2026-11-27-09-00-00-Stage
    a s3api head-bucket --bucket mlops-bia-data-model-\$S
    a s3api get-bucket-versioning --bucket mlops-bia-data-model-\$S
done
SH
chmod +x "$WORK/calls.sh"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { local s e; s=$(now_ms); "$@" >/dev/null 2>&1; e=$(now_ms); echo $((e - s)); }

# Warm moto's lazy loading once, and check the report is whole.
"$BIN" status --json --config "$WORK/crossdeck.toml" > "$WORK/status.json"
.venv/bin/python - "$WORK/status.json" "$LABS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["labs"]) == int(sys.argv[2]), "every lab reported"
for lab in r["labs"]:
    for role, acct in lab["accounts"].items():
        assert acct["error"] is None, (lab["name"], role, acct["error"])
        assert acct["stacks"], (lab["name"], role)
PY

for _ in $(seq 1 $RUNS); do timed "$BIN" status --json --config "$WORK/crossdeck.toml"; done | median > "$WORK/cd"
for _ in $(seq 1 "$CLI_RUNS"); do timed "$WORK/calls.sh"; done | median > "$WORK/cli"
CD=$(cat "$WORK/cd"); CLI=$(cat "$WORK/cli")
echo "labs: $LABS ($((LABS * 3)) accounts)"
echo "crossdeck status --json: ${CD} ms (median of $RUNS)"
echo "aws CLI, same calls:     ${CLI} ms (median of $CLI_RUNS)"
awk -v a="$CLI" -v b="$CD" 'BEGIN { printf "ratio: %.1fx faster\n", a / b }'
