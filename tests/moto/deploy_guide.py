"""Deploy the guide-shaped templates of tests/moto/templates/ into a moto server: the Tools
stacks (LabSCToolsAccountSetup, MLOpsPipelinePrep, MLOpsPipeline), the DataScience stacks
(LabDSAccountSCSetup, DSResources and a product stack SC-<ds>-pp-<id> in the lab VPC) and the
Stage stack (StageResources), each account reached by AssumeRole, then a few object versions in
the versioned buckets. Prints what it made as JSON: stacks per account, buckets, VPC and
security group ids."""

import argparse
import json
import random
import string
from pathlib import Path

from seed_lab import client, endpoint, session

TEMPLATES = Path(__file__).resolve().parent / "templates"
LAMBDA_ZIPS = ["MLOps-BIA-DeployModel.py.zip", "MLOps-BIA-GetStatus.py.zip", "MLOps-BIA-EvaluateModel.py.zip"]


def create(cfn, name, template, **parameters):
    """Create one stack from a template file and wait for it; returns its outputs."""
    cfn.create_stack(
        StackName=name,
        TemplateBody=(TEMPLATES / template).read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    )
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def versions(s3, bucket, keys, per_key, markers=0):
    """per_key versions of each key, then a delete marker on the first `markers` keys."""
    for i in range(per_key):
        for k in keys:
            s3.put_object(Bucket=bucket, Key=k, Body=f"{k} v{i}".encode())
    for k in keys[:markers]:
        s3.delete_object(Bucket=bucket, Key=k)
    return len(keys) * per_key + markers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--ds", required=True)
    ap.add_argument("--stage", required=True)
    ap.add_argument("--uid", required=True)
    ap.add_argument("--team", default="forecasting", choices=["forecasting", "sentiment-analysis", "mnist"])
    ap.add_argument("--seed", type=int, default=None, help="fixes the product id and bucket suffix")
    ap.add_argument(
        "--deployed",
        action="store_true",
        help="also the pipeline's work: the -Tools and -Stage endpoints (with config and model), "
        "and decoys: another lab's artifacts bucket of uid <uid>-x and a foreign endpoint",
    )
    a = ap.parse_args()
    e = a.endpoint
    rnd = random.Random(a.seed)
    made = {"stacks": {"tools": [], "datascience": [], "stage": []}, "buckets": {}, "versions": {}}

    # Tools: catalog, prep (with the three zips), pipeline.
    tools = session(e, a.tools)
    cfn, s3 = client(tools, "cloudformation", e), client(tools, "s3", e)
    catalog = create(cfn, "LabSCToolsAccountSetup", "LabSCToolsAccountSetup.yaml", SpokeAccountID=a.ds)
    create(cfn, "MLOpsPipelinePrep", "MLOpsPipelinePrep.yaml")
    suffix = "".join(rnd.choice("0123456789abcdef") for _ in range(8))
    pipeline = create(
        cfn,
        "MLOpsPipeline",
        "MLOpsPipeline.yaml",
        UniqueID=a.uid,
        ArtifactsSuffix=suffix,
        DataScienceAccountID=a.ds,
        StageAccountID=a.stage,
    )
    made["stacks"]["tools"] = ["LabSCToolsAccountSetup", "MLOpsPipelinePrep", "MLOpsPipeline"]
    lambda_bucket = f"mlops-bia-lambda-functions-{a.tools}"
    data_bucket = f"mlops-bia-data-model-{a.tools}"
    artifacts = f"mlops-bia-codepipeline-artifacts-{a.uid}-{suffix}"
    made["versions"][lambda_bucket] = versions(s3, lambda_bucket, LAMBDA_ZIPS, 2)
    made["versions"][data_bucket] = versions(s3, data_bucket, ["models/model.tar.gz"], 3, 1)
    made["versions"][artifacts] = versions(s3, artifacts, [f"MLOpsPipeline/Model/{i}.zip" for i in range(3)], 1)
    made["buckets"]["tools"] = [lambda_bucket, data_bucket, artifacts]
    made["pipeline_outputs"] = pipeline

    # DataScience: catalog stack with the VPC, the data bucket, then the product in that VPC.
    ds = session(e, a.ds)
    dcfn, d3 = client(ds, "cloudformation", e), client(ds, "s3", e)
    setup = create(
        dcfn,
        "LabDSAccountSCSetup",
        "LabDSAccountSCSetup.yaml",
        MasterPortfolioId=catalog.get("MasterPortfolioId", "port-unknown"),
        SagemakerProductID=catalog.get("SagemakerProductID", "prod-unknown"),
        ToolsAccountID=a.tools,
    )
    create(dcfn, "DSResources", "DSResources.yaml")
    vpc = setup["VpcId"]
    subnets = setup["SubnetIds"].split(",")
    team = ["forecasting", "sentiment-analysis", "mnist"].index(a.team)
    pp = "".join(rnd.choice(string.ascii_lowercase + string.digits) for _ in range(12))
    product_stack = f"SC-{a.ds}-pp-{pp}"
    product = create(
        dcfn,
        product_stack,
        "product.yaml",
        TeamName=a.team,
        VpcId=vpc,
        SubnetId=subnets[team],
    )
    made["stacks"]["datascience"] = ["LabDSAccountSCSetup", "DSResources", product_stack]
    ds_bucket = f"datascience-project-{a.ds}"
    made["versions"][ds_bucket] = versions(d3, ds_bucket, ["train/data.csv", "test/data.csv"], 2, 1)
    notebook_bucket = product["BucketName"]
    d3.put_object(Bucket=notebook_bucket, Key="notebooks/model.tar.gz", Body=b"model")
    made["buckets"]["datascience"] = [ds_bucket, notebook_bucket]
    made["vpc_id"] = vpc
    made["subnet_ids"] = subnets
    made["security_group_id"] = product["SecurityGroupId"]
    made["product_stack"] = product_stack
    made["notebook_bucket"] = notebook_bucket

    # Stage: its resources stack and a few model versions.
    st = session(e, a.stage)
    create(client(st, "cloudformation", e), "StageResources", "StageResources.yaml", ToolsAccountID=a.tools)
    made["stacks"]["stage"] = ["StageResources"]
    stage_bucket = f"mlops-bia-data-model-{a.stage}"
    made["versions"][stage_bucket] = versions(client(st, "s3", e), stage_bucket, ["models/model.tar.gz"], 3, 1)
    made["buckets"]["stage"] = [stage_bucket]

    if a.deployed:
        # What the pipeline's DeployModel stages make, and what must survive the cleanup.
        name = "datascience-project-2026-11-27-09-00-00"
        role = f"arn:aws:iam::{a.tools}:role/MLOps-BIA-DeployModel-ServiceRole-{a.uid}"
        endpoint(client(tools, "sagemaker", e), f"{name}-Tools", role)
        stage_sm = client(st, "sagemaker", e)
        endpoint(stage_sm, f"{name}-Stage", f"arn:aws:iam::{a.stage}:role/SageMakerExecutionRole-{a.stage}")
        foreign = "other-project-2026-11-27-09-00-00-Stage"
        endpoint(stage_sm, foreign, f"arn:aws:iam::{a.stage}:role/Other")
        lookalike = f"mlops-bia-codepipeline-artifacts-{a.uid}-x-{suffix}"
        s3.create_bucket(Bucket=lookalike)
        s3.put_object(Bucket=lookalike, Key="keep", Body=b"keep")
        made["endpoints"] = {"tools": [f"{name}-Tools"], "stage": [f"{name}-Stage"]}
        made["decoys"] = {"tools": {"buckets": [lookalike]}, "stage": {"endpoints": [foreign]}}
    print(json.dumps(made))


if __name__ == "__main__":
    main()
