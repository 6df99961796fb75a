"""Seed one participant's lab into a moto server: three accounts reached by AssumeRole, with the
stacks, buckets and objects, portfolio share, pipeline, SageMaker endpoints and notebook the
guide's steps create, plus decoys with other names. Prints what it made as JSON.

With --cleanup-extras it adds what a cleanup must cope with: many object versions and delete
markers in the lab's versioned buckets (the Stage data-model bucket needs three batches), the
DSResources stack, and decoys in every account that look like the lab's but are not."""

import argparse
import json

import boto3

REGION = "us-east-1"

TOPIC = {"Topic": {"Type": "AWS::SNS::Topic"}}


def session(endpoint, account):
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="seed",
        aws_secret_access_key="seed",
    )
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/Seeder", RoleSessionName="seeder"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


def client(sess, name, endpoint):
    return sess.client(name, endpoint_url=endpoint)


def stack(cfn, name, resources, outputs=None, parameters=None):
    template = {"Resources": resources}
    if outputs:
        template["Outputs"] = {k: {"Value": v} for k, v in outputs.items()}
    if parameters:
        template["Parameters"] = {k: {"Type": "String"} for k in parameters}
    cfn.create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )


def bucket(name, versioned):
    props = {"BucketName": name}
    if versioned:
        props["VersioningConfiguration"] = {"Status": "Enabled"}
    return {"Type": "AWS::S3::Bucket", "Properties": props}


def endpoint(sm, name, role):
    sm.create_model(
        ModelName=name,
        ExecutionRoleArn=role,
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": name,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.t2.medium",
            }
        ],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--ds", required=True)
    ap.add_argument("--stage", required=True)
    ap.add_argument("--uid", required=True)
    ap.add_argument("--cleanup-extras", action="store_true")
    a = ap.parse_args()
    e = a.endpoint
    made = {}

    # Tools: catalog portfolio shared with DataScience, prep stack and zips, pipeline stack.
    tools = session(e, a.tools)
    sc = client(tools, "servicecatalog", e)
    portfolio = sc.create_portfolio(
        DisplayName="Data Scientists - Sample Portfolio", ProviderName="IT"
    )["PortfolioDetail"]["Id"]
    sc.create_portfolio_share(PortfolioId=portfolio, AccountId=a.ds)
    made["portfolio"] = portfolio
    cfn = client(tools, "cloudformation", e)
    stack(
        cfn,
        "LabSCToolsAccountSetup",
        TOPIC,
        outputs={"MasterPortfolioId": portfolio, "SagemakerProductID": "prod-seeded0001", "ToolsAccountID": a.tools},
        parameters={"SpokeAccountID": a.ds},
    )
    lambda_bucket = f"mlops-bia-lambda-functions-{a.tools}"
    stack(cfn, "MLOpsPipelinePrep", {"B": bucket(lambda_bucket, True)},
          outputs={"S3PipelineLambdaFunctionCode": lambda_bucket})
    s3 = client(tools, "s3", e)
    for z in ["MLOps-BIA-DeployModel.py.zip", "MLOps-BIA-GetStatus.py.zip", "MLOps-BIA-EvaluateModel.py.zip"]:
        s3.put_object(Bucket=lambda_bucket, Key=z, Body=b"zip")
    data_bucket = f"mlops-bia-data-model-{a.tools}"
    artifacts = f"mlops-bia-codepipeline-artifacts-{a.uid}-1f2e3d4c"
    role = f"MLOps-BIA-CodePipeline-ServiceRole-{a.uid}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    stack(
        cfn,
        "MLOpsPipeline",
        {
            "Data": bucket(data_bucket, True),
            "Artifacts": bucket(artifacts, True),
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": role, "AssumeRolePolicyDocument": trust}},
        },
        outputs={"S3DataModelBucket": data_bucket, "CodePipeline": f"MLOpsPipeline-CodePipeline-{a.uid.upper()}SEED"},
        parameters={"UniqueID": a.uid, "DataScienceAccountID": a.ds, "StageAccountID": a.stage},
    )
    for b in [lambda_bucket, data_bucket, artifacts]:
        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=data_bucket, Key="models/model.tar.gz", Body=b"model")
    s3.put_object(Bucket=data_bucket, Key="models/other.tar.gz", Body=b"other")
    pipeline = f"MLOpsPipeline-CodePipeline-{a.uid.upper()}SEED"

    def invoke(name):
        return {
            "name": name,
            "actionTypeId": {"category": "Invoke", "owner": "AWS", "provider": "Lambda", "version": "1"},
            "configuration": {"FunctionName": f"{name}-{a.uid}"},
        }

    client(tools, "codepipeline", e).create_pipeline(
        pipeline={
            "name": pipeline,
            "roleArn": f"arn:aws:iam::{a.tools}:role/{role}",
            "artifactStore": {"type": "S3", "location": artifacts},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Data",
                    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                    "configuration": {"S3Bucket": data_bucket, "S3ObjectKey": "models/model.tar.gz"},
                    "outputArtifacts": [{"name": "Model"}],
                }]},
                {"name": "DeployModel-Tools", "actions": [invoke("DeployToToolsEnv"), invoke("GetDeployStatus"), invoke("SmokeTest")]},
                {"name": "DeployModel-Stage", "actions": [invoke("DeployToStageEnv"), invoke("GetStageDeployStatus"), invoke("FullTest")]},
            ],
        }
    )
    made["pipeline"] = pipeline
    sm = client(tools, "sagemaker", e)
    tools_endpoint = f"datascience-project-2026-11-27-09-00-00-Tools"
    endpoint(sm, tools_endpoint, f"arn:aws:iam::{a.tools}:role/{role}")
    made["tools_endpoint"] = tools_endpoint
    # Decoys with other names: never reported, never touched.
    stack(cfn, "SomeoneElsesStack", TOPIC)
    endpoint(sm, "unrelated-endpoint", f"arn:aws:iam::{a.tools}:role/{role}")
    s3.create_bucket(Bucket=f"mlops-bia-lambda-functions-{a.tools}-copy")

    # DataScience: catalog stack and the product's notebook.
    ds = session(e, a.ds)
    stack(client(ds, "cloudformation", e), "LabDSAccountSCSetup", TOPIC,
          outputs={"SwitchRoleLink": f"https://signin.aws.amazon.com/switchrole?roleName=DataScientist&account={a.ds}"})
    notebook = f"SC-{a.ds}-pp-seeded0001-NotebookInstance-forecasting"
    client(ds, "sagemaker", e).create_notebook_instance(
        NotebookInstanceName=notebook,
        InstanceType="ml.t3.medium",
        RoleArn=f"arn:aws:iam::{a.ds}:role/DataScientist",
    )
    made["notebook"] = notebook

    # Stage: its resources stack and the deployed endpoint.
    st = session(e, a.stage)
    stack(client(st, "cloudformation", e), "StageResources",
          {"B": bucket(f"mlops-bia-data-model-{a.stage}", True)},
          outputs={"S3DataModelBucket": f"mlops-bia-data-model-{a.stage}"},
          parameters={"ToolsAccountID": a.tools})
    client(st, "s3", e).put_bucket_versioning(
        Bucket=f"mlops-bia-data-model-{a.stage}", VersioningConfiguration={"Status": "Enabled"}
    )
    stage_endpoint = "datascience-project-2026-11-27-09-00-00-Stage"
    endpoint(client(st, "sagemaker", e), stage_endpoint, f"arn:aws:iam::{a.stage}:role/SageMakerExecutionRole-{a.stage}")
    made["stage_endpoint"] = stage_endpoint
    if a.cleanup_extras:
        cleanup_extras(a, e, tools, ds, st, made)
    print(json.dumps(made))


def versions(s3, bucket, keys, per_key, markers):
    """per_key versions of each key, then a delete marker on the first `markers` keys."""
    for i in range(per_key):
        for k in keys:
            s3.put_object(Bucket=bucket, Key=k, Body=f"{k} v{i}".encode())
    for k in keys[:markers]:
        s3.delete_object(Bucket=bucket, Key=k)
    return len(keys) * per_key + markers


def cleanup_extras(a, e, tools, ds, st, made):
    counts = {}
    s3 = client(st, "s3", e)
    stage_bucket = f"mlops-bia-data-model-{a.stage}"
    keys = [f"models/run-{i:02}/model.tar.gz" for i in range(25)]
    counts[stage_bucket] = versions(s3, stage_bucket, keys, 100, 10)
    t3 = client(tools, "s3", e)
    data_bucket = f"mlops-bia-data-model-{a.tools}"
    counts[data_bucket] = 2 + versions(t3, data_bucket, [f"models/old-{i}.tar.gz" for i in range(20)], 10, 5)
    lambda_bucket = f"mlops-bia-lambda-functions-{a.tools}"
    zips = ["MLOps-BIA-DeployModel.py.zip", "MLOps-BIA-GetStatus.py.zip", "MLOps-BIA-EvaluateModel.py.zip"]
    counts[lambda_bucket] = 3 + versions(t3, lambda_bucket, zips, 5, 1)
    artifacts = f"mlops-bia-codepipeline-artifacts-{a.uid}-1f2e3d4c"
    counts[artifacts] = versions(t3, artifacts, [f"MLOpsPipeline/Model/{i}.zip" for i in range(30)], 1, 0)
    made["versions"] = counts

    dcfn = client(ds, "cloudformation", e)
    stack(dcfn, "DSResources", {"B": bucket(f"datascience-project-{a.ds}", False)})

    # Decoys: other names in the lab's own accounts, some a prefix or suffix away.
    decoys = {"tools": {}, "datascience": {}, "stage": {}}
    role = f"arn:aws:iam::{a.tools}:role/MLOps-BIA-CodePipeline-ServiceRole-{a.uid}"
    endpoint(client(tools, "sagemaker", e), "datascience-project-2026-11-27-09-00-00-Prod", role)
    other = f"mlops-bia-codepipeline-artifacts-bob-decoy1"
    t3.create_bucket(Bucket=other)
    t3.put_object(Bucket=other, Key="keep", Body=b"keep")
    decoys["tools"] = {
        "stacks": ["SomeoneElsesStack"],
        "buckets": [f"mlops-bia-lambda-functions-{a.tools}-copy", other],
        "endpoints": ["unrelated-endpoint", "datascience-project-2026-11-27-09-00-00-Prod"],
    }
    nb = f"forecasting-notebook-data-decoy-{a.ds}"
    d3 = client(ds, "s3", e)
    d3.create_bucket(Bucket=nb)
    d3.put_object(Bucket=nb, Key="keep", Body=b"keep")
    stack(dcfn, "DSResourcesCopy", TOPIC)
    decoys["datascience"] = {"stacks": ["DSResourcesCopy"], "buckets": [nb], "endpoints": []}
    backup = f"mlops-bia-data-model-{a.stage}-backup"
    s3.create_bucket(Bucket=backup)
    s3.put_bucket_versioning(Bucket=backup, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=backup, Key="models/model.tar.gz", Body=b"keep")
    stack(client(st, "cloudformation", e), "StageResourcesCopy", TOPIC)
    endpoint(client(st, "sagemaker", e), "other-project-2026-11-27-09-00-00-Stage",
             f"arn:aws:iam::{a.stage}:role/SageMakerExecutionRole-{a.stage}")
    decoys["stage"] = {
        "stacks": ["StageResourcesCopy"],
        "buckets": [backup],
        "endpoints": ["other-project-2026-11-27-09-00-00-Stage"],
    }
    made["decoys"] = decoys


if __name__ == "__main__":
    main()
