"""The event-driven mode's side of a moto server, driven with boto3 (not through crossdeck):
make the queue, put hand-made EventBridge envelopes on it, read its depth, put the forwarder
rule on an account's default bus, and create a SageMaker endpoint without any event.
Each subcommand prints JSON."""

import argparse
import json

import boto3

from seed_lab import REGION, client, endpoint, session

# Calls with plain keys land in moto's default account: the instructor's here.
KEYS = {"aws_access_key_id": "AKIAINSTRUCTOR000001", "aws_secret_access_key": "secret"}


def sqs(url):
    return boto3.client("sqs", endpoint_url=url, region_name=REGION, **KEYS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("queue")
    q.add_argument("--name", default="crossdeck-events")
    p = sub.add_parser("put")
    p.add_argument("--queue-url", required=True)
    p.add_argument("bodies", nargs="+", help="message bodies")
    d = sub.add_parser("depth")
    d.add_argument("--queue-url", required=True)
    r = sub.add_parser("rule")
    r.add_argument("--account", required=True)
    r.add_argument("--state", default="ENABLED")
    r.add_argument("--sources", default="aws.cloudformation,aws.codepipeline,aws.sagemaker")
    e = sub.add_parser("endpoint")
    e.add_argument("--account", required=True)
    e.add_argument("--name", required=True)
    a = ap.parse_args()

    if a.cmd == "queue":
        url = sqs(a.endpoint).create_queue(QueueName=a.name)["QueueUrl"]
        print(json.dumps({"url": url}))
    elif a.cmd == "put":
        ids = [sqs(a.endpoint).send_message(QueueUrl=a.queue_url, MessageBody=b)["MessageId"]
               for b in a.bodies]
        print(json.dumps({"sent": ids}))
    elif a.cmd == "depth":
        attrs = sqs(a.endpoint).get_queue_attributes(
            QueueUrl=a.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        print(json.dumps({k: int(v) for k, v in attrs.items()}))
    elif a.cmd == "rule":
        events = client(session(a.endpoint, a.account), "events", a.endpoint)
        pattern = {"source": a.sources.split(",")}
        arn = events.put_rule(Name="crossdeck-lab-events", EventPattern=json.dumps(pattern),
                              State=a.state)["RuleArn"]
        print(json.dumps({"rule": arn}))
    elif a.cmd == "endpoint":
        sm = client(session(a.endpoint, a.account), "sagemaker", a.endpoint)
        endpoint(sm, a.name, f"arn:aws:iam::{a.account}:role/SageMakerRole")
        print(json.dumps({"endpoint": a.name}))


if __name__ == "__main__":
    main()
