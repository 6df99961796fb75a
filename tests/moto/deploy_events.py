"""Deploy the event-driven mode's templates into a moto server: assets/cfn/events-hub.yaml in the
hub account, assets/cfn/events-forwarder.yaml (given the hub's BusArn) in a student account, each
reached by AssumeRole. Then send hand-made events and read the queue after each step. Prints
what it found as JSON, for the test to judge: both stacks' status and outputs, the queues'
attributes, the forwarder rule and its targets, the hub bus's rules and targets, and per step the
bodies of the messages the queue gave (deleted once read)."""

import argparse
import json
from pathlib import Path

from seed_lab import client, session

CFN = Path(__file__).resolve().parents[2] / "assets" / "cfn"


def create(cfn, name, template, **parameters):
    """Create one stack from a template file and wait for it; returns status and outputs."""
    cfn.create_stack(
        StackName=name,
        TemplateBody=(CFN / template).read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return {
        "status": stack["StackStatus"],
        "outputs": {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
    }


def envelope(source, detail_type, detail, bus=None):
    entry = {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}
    if bus:
        entry["EventBusName"] = bus
    return entry


def drain(sqs, url):
    """Every message the queue gives now (a short long poll), deleted in batches as crossdeck
    would; their bodies parsed."""
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not got:
            return bodies
        bodies.extend(json.loads(m["Body"]) for m in got)
        done = sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
        )
        assert not done.get("Failed"), done


def put(events, entries):
    out = events.put_events(Entries=entries)
    assert out["FailedEntryCount"] == 0, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--hub", required=True)
    ap.add_argument("--student", required=True)
    a = ap.parse_args()
    e = a.endpoint
    found = {}

    hub = session(e, a.hub)
    found["hub"] = create(
        client(hub, "cloudformation", e),
        "crossdeck-events-hub",
        "events-hub.yaml",
        OrganizationId="o-abcd123456",
        AccountIds=a.student,
    )
    outputs = found["hub"]["outputs"]
    student = session(e, a.student)
    found["forwarder"] = create(
        client(student, "cloudformation", e),
        "crossdeck-events-forwarder",
        "events-forwarder.yaml",
        HubBusArn=outputs.get("BusArn", ""),
    )

    sqs = client(hub, "sqs", e)
    found["queue"] = sqs.get_queue_attributes(QueueUrl=outputs["QueueUrl"], AttributeNames=["All"])["Attributes"]
    found["dlq"] = sqs.get_queue_attributes(QueueUrl=outputs["DeadLetterQueueUrl"], AttributeNames=["All"])[
        "Attributes"
    ]

    hub_events = client(hub, "events", e)
    bus = outputs["BusArn"].rsplit("/", 1)[-1]
    found["hub_bus"] = hub_events.describe_event_bus(Name=bus)
    found["hub_bus"].pop("ResponseMetadata", None)
    found["hub_rules"] = [
        {**r, "Targets": hub_events.list_targets_by_rule(Rule=r["Name"], EventBusName=bus)["Targets"]}
        for r in hub_events.list_rules(EventBusName=bus)["Rules"]
    ]

    events = client(student, "events", e)
    rule = events.describe_rule(Name="crossdeck-lab-events", EventBusName="default")
    rule.pop("ResponseMetadata", None)
    rule["Targets"] = events.list_targets_by_rule(Rule="crossdeck-lab-events", EventBusName="default")["Targets"]
    found["forwarder_rule"] = rule

    url = outputs["QueueUrl"]
    steps = {}
    steps["before"] = drain(sqs, url)
    # Straight onto the hub bus: an AWS service's event is queued, anyone else's is not.
    put(
        hub_events,
        [
            envelope(
                "aws.cloudformation",
                "CloudFormation Stack Status Change",
                {"stack-id": "stack/MLOpsPipeline/1", "status-details": {"status": "CREATE_COMPLETE"}},
                bus,
            ),
            envelope("lab.custom", "Anything", {"note": "not an AWS service"}, bus),
        ],
    )
    steps["hub_bus"] = drain(sqs, url)
    # Onto the student's default bus: the lab's events are forwarded, others stay there.
    put(
        events,
        [
            envelope(
                "aws.sagemaker",
                "SageMaker Endpoint State Change",
                {"EndpointName": "datascience-project-x-Stage", "EndpointStatus": "IN_SERVICE"},
            ),
            envelope(
                "aws.codepipeline",
                "CodePipeline Stage Execution State Change",
                {"pipeline": "MLOpsPipeline-CodePipeline-1", "stage": "Build", "state": "SUCCEEDED"},
            ),
            envelope("aws.s3", "Object Created", {"bucket": {"name": "sc-x"}}),
            envelope(
                "aws.cloudformation",
                "CloudFormation Drift Detection Status Change",
                {"stack-id": "stack/MLOpsPipeline/1"},
            ),
        ],
    )
    steps["student_bus"] = drain(sqs, url)
    found["steps"] = steps
    print(json.dumps(found, default=str))


if __name__ == "__main__":
    main()
