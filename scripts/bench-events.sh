#!/usr/bin/env bash
# The event-driven mode on moto: the time from a message put on the queue to the change on
# screen. Starts moto, makes the instructor's queue, runs `crossdeck --read-only` in tmux on one
# lab with steady polling at 90 s and the queue in `[events]`, then ROUNDS times (default 10):
# creates a SageMaker endpoint in the Stage account, puts its state-change event on the queue,
# and times until the endpoint's name is on screen (tmux capture-pane every 20 ms). Prints each
# time and the median. Usage: scripts/bench-events.sh. Honours CARGO_TARGET_DIR; CROSSDECK_BIN
# measures another build of the binary instead of building this checkout's (release).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-10}"

SESSION="crossdeck-events-$$"
# shellcheck source=scripts/bench-moto.sh
source scripts/bench-moto.sh

PY=".venv/bin/python"
EV="tests/moto/events.py"
QUEUE="$("$PY" "$EV" --endpoint "$URL" queue | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["url"])')"
printf '[profile instructor]\nregion = us-east-1\n' > "$WORK/aws_config"
printf '[instructor]\naws_access_key_id = AKIAINSTRUCTOR000001\naws_secret_access_key = secret\n' > "$WORK/aws_credentials"
role() { echo "{ account_id = \"$1\", role_arn = \"arn:aws:iam::$1:role/OrganizationAccountAccessRole\", source_profile = \"instructor\" }"; }
cat > "$WORK/crossdeck.toml" <<TOML
region = "us-east-1"
endpoint_url = "$URL"
max_attempts = 1

[polling]
steady_secs = 90

[events]
queue_url = "$QUEUE"
profile = "instructor"

[[labs]]
name = "alice"
unique_id = "ali"
tools = $(role 111111111111)
datascience = $(role 222222222222)
stage = $(role 333333333333)
TOML
tmux new-session -d -s "$SESSION" -x 160 -y 48 \
    "cd '$WORK' && env -i PATH=\"\$PATH\" TERM=xterm-256color HOME='$WORK' AWS_CONFIG_FILE='$WORK/aws_config' AWS_SHARED_CREDENTIALS_FILE='$WORK/aws_credentials' AWS_EC2_METADATA_DISABLED=true '$BIN' --read-only; sleep 60"
until tmux capture-pane -p -t "$SESSION" | grep -q "events: live"; do sleep 0.1; done
sleep 3

"$PY" - "$URL" "$QUEUE" "$SESSION" "$ROUNDS" <<'PY'
import json, statistics, subprocess, sys, time
sys.path.insert(0, "tests/moto")
import boto3
from seed_lab import client, endpoint, session

url, queue, tmux, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sm = client(session(url, "333333333333"), "sagemaker", url)
sqs = boto3.client("sqs", endpoint_url=url, region_name="us-east-1",
                   aws_access_key_id="AKIAINSTRUCTOR000001", aws_secret_access_key="secret")
times = []
for i in range(rounds):
    name = f"datascience-project-bench{i}-Stage"
    endpoint(sm, name, "arn:aws:iam::333333333333:role/SageMakerRole")
    body = json.dumps({"version": "0", "id": f"bench-{i}", "detail-type": "SageMaker Endpoint State Change",
                       "source": "aws.sagemaker", "account": "333333333333", "time": "2026-12-02T10:00:00Z",
                       "region": "us-east-1", "resources": [],
                       "detail": {"EndpointName": name, "EndpointStatus": "IN_SERVICE"}})
    start = time.monotonic()
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    while name not in subprocess.run(["tmux", "capture-pane", "-p", "-t", tmux],
                                     capture_output=True, text=True).stdout:
        if time.monotonic() - start > 60:
            sys.exit(f"{name} not on screen within 60 s")
        time.sleep(0.02)
    took = time.monotonic() - start
    times.append(took)
    print(f"round {i + 1}: {took * 1000:.0f} ms")
    time.sleep(1.5)
print(f"median from the message put to the endpoint on screen: {statistics.median(times) * 1000:.0f} ms "
      f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {rounds} rounds; steady polling 90 s)")
PY
