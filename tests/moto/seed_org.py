"""Seed an AWS Organization into a moto server, as a class's instructor would have it: a class OU
with tagged participants (one missing her Stage account), a participant in an OU of her own with
untagged accounts named after their roles, 25 unrelated accounts in the class OU (so listings
take more than one page) and an account at the root. The Tools accounts of the participants who
deployed the pipeline hold an MLOpsPipeline stack with a UniqueID parameter. Prints what it made
as JSON: {"root", "class_ou", "management", "participants": {name: {role: id}}, "uids": {name: uid}}."""

import argparse
import json

import boto3

REGION = "us-east-1"


def org_client(endpoint):
    return boto3.client(
        "organizations",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="AKIAINSTRUCTOR000001",
        aws_secret_access_key="secret",
    )


def session(endpoint, account):
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="AKIAINSTRUCTOR000001",
        aws_secret_access_key="secret",
    )
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="seeder",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


def account(org, root, parent, name, tags=None):
    made = org.create_account(
        Email=f"{name}@example.com", AccountName=name, Tags=tags or []
    )["CreateAccountStatus"]
    account_id = made["AccountId"]
    if parent != root:
        org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
    return account_id


def tagged(participant, role):
    return [
        {"Key": "crossdeck:participant", "Value": participant},
        {"Key": "crossdeck:role", "Value": role},
    ]


def pipeline_stack(endpoint, account_id, uid):
    cfn = session(endpoint, account_id).client("cloudformation", endpoint_url=endpoint)
    template = {
        "Parameters": {"UniqueID": {"Type": "String"}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    }
    cfn.create_stack(
        StackName="MLOpsPipeline",
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "UniqueID", "ParameterValue": uid}],
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    a = ap.parse_args()
    org = org_client(a.endpoint)
    management = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    class_ou = org.create_organizational_unit(ParentId=root, Name="class")["OrganizationalUnit"]["Id"]
    participants = {}
    # Tagged, in the class OU: ana with a Production account, ben, and cara without Stage.
    for name, roles in [
        ("ana", ["tools", "datascience", "stage", "production"]),
        ("ben", ["tools", "datascience", "stage"]),
        ("cara", ["tools", "datascience"]),
    ]:
        participants[name] = {
            r: account(org, root, class_ou, f"lab-{name}-{i}", tagged(name, r))
            for i, r in enumerate(roles)
        }
    # dora: an OU of her own under the class OU, untagged accounts named after their roles.
    dora_ou = org.create_organizational_unit(ParentId=class_ou, Name="dora")["OrganizationalUnit"]["Id"]
    participants["dora"] = {
        r: account(org, root, dora_ou, f"dora{suffix}")
        for r, suffix in [("tools", "-tools"), ("datascience", "_DS"), ("stage", ".stage")]
    }
    # Unrelated accounts in the class OU, and one at the root.
    for i in range(25):
        account(org, root, class_ou, f"student-sandbox-{i:02}")
    account(org, root, root, "shared-services")
    uids = {"ana": "ana7", "dora": "dora-3"}
    for name, uid in uids.items():
        pipeline_stack(a.endpoint, participants[name]["tools"], uid)
    print(json.dumps({
        "root": root,
        "class_ou": class_ou,
        "management": management,
        "participants": participants,
        "uids": uids,
    }))


if __name__ == "__main__":
    main()
