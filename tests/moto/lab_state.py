"""Print what a moto server holds in some accounts, read directly with boto3 (not through
crossdeck): stacks, buckets with their count of object versions and delete markers, SageMaker
endpoints, endpoint configs, models and notebook instances. Used to check what a cleanup did."""

import argparse
import json

from seed_lab import client, session


def count_versions(s3, bucket):
    n = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        n += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
    return n


def account_state(endpoint, account):
    sess = session(endpoint, account)
    cfn = client(sess, "cloudformation", endpoint)
    s3 = client(sess, "s3", endpoint)
    sm = client(sess, "sagemaker", endpoint)
    return {
        "stacks": sorted(s["StackName"] for s in cfn.describe_stacks()["Stacks"]
                         if s["StackStatus"] != "DELETE_COMPLETE"),
        "buckets": {b["Name"]: count_versions(s3, b["Name"]) for b in s3.list_buckets()["Buckets"]},
        "endpoints": sorted(x["EndpointName"] for x in sm.list_endpoints()["Endpoints"]),
        "endpoint_configs": sorted(x["EndpointConfigName"] for x in sm.list_endpoint_configs()["EndpointConfigs"]),
        "models": sorted(x["ModelName"] for x in sm.list_models()["Models"]),
        "notebooks": sorted(x["NotebookInstanceName"] for x in sm.list_notebook_instances()["NotebookInstances"]),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("accounts", nargs="+")
    a = ap.parse_args()
    print(json.dumps({acct: account_state(a.endpoint, acct) for acct in a.accounts}))


if __name__ == "__main__":
    main()
