//! The event-driven mode's assets: the two CloudFormation templates of `assets/cfn/` pass the
//! pinned cfn-lint, create on moto (the hub in one account, the forwarder in a student account,
//! by tests/moto/deploy_events.py) and route events from a student's default bus to the hub's
//! queue; and the IAM policies name the queue and the rule those templates make.
//!
//! moto (5.2.5) skips AWS::SQS::QueuePolicy and the event bus's `Policy` (it never checks who
//! may send), so those are checked by cfn-lint and by reading the template, not by moto.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::iam::{allowed, cfn_lint, glob, statements, venv_python};
use crate::moto::{Moto, python_json};

const HUB: &str = "111111111111";
const STUDENT: &str = "222222222222";
const RULE: &str = "crossdeck-lab-events";
const QUEUE: &str = "crossdeck-events";

/// The lab's sources and detail-types, as the forwarder rule must match them.
const SOURCES: [&str; 3] = ["aws.cloudformation", "aws.codepipeline", "aws.sagemaker"];
const DETAIL_TYPES: [&str; 7] = [
    "CloudFormation Stack Status Change",
    "CloudFormation Resource Status Change",
    "CodePipeline Pipeline Execution State Change",
    "CodePipeline Stage Execution State Change",
    "CodePipeline Action Execution State Change",
    "SageMaker Endpoint State Change",
    "SageMaker Notebook Instance State Change",
];

fn template(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/cfn")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(template(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A template as JSON, read by cfn-lint's own decoder (the short-form `!Sub` tags and all).
fn decoded(name: &str) -> Value {
    let path = template(name);
    let out = std::process::Command::new(venv_python())
        .args([
            "-c",
            "import json, sys; from cfnlint.decode import decode; t, m = decode(sys.argv[1]); \
             assert not m, m; print(json.dumps(t, default=str))",
        ])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the venv's python: {e} (scripts/moto-venv.sh)"));
    assert!(
        out.status.success(),
        "decoding {name} failed (is cfn-lint installed? scripts/moto-venv.sh): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("not a string: {s}"))
                .to_string()
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Both templates pass cfn-lint with neither error nor warning, and cfn-lint does report an
/// error in a broken one (so a lint that checks nothing cannot pass).
#[test]
fn the_templates_pass_cfn_lint() {
    let hub = template("events-hub.yaml");
    let fwd = template("events-forwarder.yaml");
    let (code, out) = cfn_lint(&[&hub.display().to_string(), &fwd.display().to_string()]);
    assert_eq!(
        code, 0,
        "cfn-lint on the event templates (exit {code}):\n{out}"
    );

    let broken = std::env::temp_dir().join(format!("crossdeck-broken-{}.yaml", std::process::id()));
    let bad = text("events-forwarder.yaml").replace("EventPattern:", "EventPatern:");
    std::fs::write(&broken, bad).expect("write the broken template");
    let (code, out) = cfn_lint(&[&broken.display().to_string()]);
    let _ = std::fs::remove_file(&broken);
    assert!(
        code & 2 != 0,
        "cfn-lint missed a misspelt property (exit {code}):\n{out}"
    );
}

/// Ready for a StackSet and any region: no account id, region or partition written in.
#[test]
fn the_templates_hold_no_account_region_or_partition() {
    for name in ["events-hub.yaml", "events-forwarder.yaml"] {
        let t = text(name);
        let digits = t
            .split(|c: char| !c.is_ascii_digit())
            .find(|run| run.len() == 12);
        assert_eq!(digits, None, "{name} holds an account id");
        for literal in ["us-east-1", "arn:aws:", ".amazonaws.com/"] {
            assert!(!t.contains(literal), "{name} holds {literal}");
        }
        assert!(t.contains("${AWS::Partition}"), "{name} builds no ARN");
    }
}

/// The hub bus admits the organization and/or the listed accounts, each under its own
/// condition, and only to put events on itself; the queue policies admit EventBridge from
/// the hub's rule only. (moto ignores both, so they are read here.)
#[test]
fn the_hub_admits_only_what_its_parameters_name() {
    let t = decoded("events-hub.yaml");
    let r = &t["Resources"];
    let stmts = r["Bus"]["Properties"]["Policy"]["Statement"]
        .as_array()
        .expect("bus policy statements");
    assert_eq!(stmts.len(), 2, "{stmts:?}");
    let mut conditions = BTreeSet::new();
    for s in stmts {
        let branch = s["Fn::If"]
            .as_array()
            .expect("each statement under a condition");
        assert_eq!(branch[2], serde_json::json!({"Ref": "AWS::NoValue"}), "{s}");
        let st = &branch[1];
        conditions.insert(branch[0].as_str().expect("condition").to_string());
        assert_eq!(st["Effect"], "Allow");
        assert_eq!(st["Action"], "events:PutEvents", "{st}");
        let resource = st["Resource"]["Fn::Sub"].as_str().expect("the bus's ARN");
        assert!(resource.ends_with(":event-bus/${BusName}"), "{resource}");
        if st["Principal"] == "*" {
            assert_eq!(
                st["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
                serde_json::json!({"Ref": "OrganizationId"}),
                "anyone, but only from the organization: {st}"
            );
        } else {
            assert_eq!(
                st["Principal"]["AWS"],
                serde_json::json!({"Ref": "AccountIds"})
            );
        }
    }
    assert_eq!(conditions, set(&["HasAccounts", "HasOrganization"]));
    assert!(
        t["Rules"]["SomeoneMaySend"]["Assertions"].is_array(),
        "no check that someone may send"
    );

    let mut queues = BTreeSet::new();
    for (name, res) in r.as_object().expect("resources") {
        if res["Type"] != "AWS::SQS::QueuePolicy" {
            continue;
        }
        let st = &res["Properties"]["PolicyDocument"]["Statement"];
        assert_eq!(st.as_array().map(Vec::len), Some(1), "{name}");
        let st = &st[0];
        assert_eq!(
            st["Principal"],
            serde_json::json!({"Service": "events.amazonaws.com"})
        );
        assert_eq!(st["Action"], "sqs:SendMessage", "{name}");
        assert_eq!(
            st["Condition"]["ArnEquals"]["aws:SourceArn"],
            serde_json::json!({"Fn::GetAtt": ["ToQueue", "Arn"]}),
            "{name}: only the hub's rule may send"
        );
        for q in res["Properties"]["Queues"].as_array().expect("queues") {
            queues.insert(q["Ref"].as_str().expect("a queue's Ref").to_string());
        }
    }
    assert_eq!(
        queues,
        set(&["DeadLetterQueue", "Queue"]),
        "both queues admit the rule"
    );
}

/// The forwarder's role may only put events on the hub's bus, and only EventBridge rules of
/// its own account may take it.
#[test]
fn the_forwarder_role_only_puts_events_on_the_hub() {
    let t = decoded("events-forwarder.yaml");
    let role = &t["Resources"]["ForwardRole"]["Properties"];
    let trust = &role["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_array().map(Vec::len), Some(1), "{trust}");
    assert_eq!(
        trust[0]["Principal"],
        serde_json::json!({"Service": "events.amazonaws.com"})
    );
    let cond = &trust[0]["Condition"]["StringEquals"];
    assert_eq!(
        cond["aws:SourceAccount"],
        serde_json::json!({"Ref": "AWS::AccountId"})
    );
    let arn = cond["aws:SourceArn"]["Fn::Sub"]
        .as_str()
        .expect("the rule's ARN");
    assert!(arn.ends_with(&format!(":rule/{RULE}")), "{arn}");
    let policies = role["Policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 1);
    let st = &policies[0]["PolicyDocument"]["Statement"];
    assert_eq!(
        st,
        &serde_json::json!([{"Effect": "Allow", "Action": "events:PutEvents",
                             "Resource": {"Ref": "HubBusArn"}}])
    );
    assert!(
        role.get("RoleName").is_none(),
        "a named role would need CAPABILITY_NAMED_IAM"
    );
}

/// Created on moto: the hub in one account, the forwarder in a student's; outputs, queues,
/// rules and targets as intended; an AWS event on the hub bus reaches the queue and a custom
/// one does not; the lab's events on the student's default bus are forwarded to the queue
/// and others are not.
#[test]
fn hub_and_forwarder_create_on_moto_and_carry_the_labs_events() {
    let moto = Moto::start();
    let found = python_json(
        "deploy_events.py",
        &["--endpoint", &moto.url, "--hub", HUB, "--student", STUDENT],
    );
    assert_eq!(found["hub"]["status"], "CREATE_COMPLETE", "{found}");
    assert_eq!(found["forwarder"]["status"], "CREATE_COMPLETE", "{found}");

    let out = &found["hub"]["outputs"];
    let bus_arn = format!("arn:aws:events:us-east-1:{HUB}:event-bus/crossdeck-events");
    let queue_arn = format!("arn:aws:sqs:us-east-1:{HUB}:{QUEUE}");
    let dlq_arn = format!("{queue_arn}-dlq");
    assert_eq!(out["BusArn"], bus_arn.as_str(), "{out}");
    assert_eq!(out["QueueArn"], queue_arn.as_str(), "{out}");
    let url = out["QueueUrl"].as_str().expect("QueueUrl");
    assert!(url.ends_with(&format!("/{HUB}/{QUEUE}")), "{url}");
    let dlq_url = out["DeadLetterQueueUrl"]
        .as_str()
        .expect("DeadLetterQueueUrl");
    assert!(
        dlq_url.ends_with(&format!("/{HUB}/{QUEUE}-dlq")),
        "{dlq_url}"
    );

    let q = &found["queue"];
    assert_eq!(q["QueueArn"], queue_arn.as_str());
    assert_eq!(
        q["ReceiveMessageWaitTimeSeconds"], "20",
        "long polling: {q}"
    );
    assert_eq!(q["MessageRetentionPeriod"], "86400", "{q}");
    assert_eq!(q["SqsManagedSseEnabled"], "true", "{q}");
    let redrive: Value =
        serde_json::from_str(q["RedrivePolicy"].as_str().expect("a redrive policy")).expect("JSON");
    assert_eq!(
        redrive["deadLetterTargetArn"],
        dlq_arn.as_str(),
        "{redrive}"
    );
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "5"
    );
    let d = &found["dlq"];
    assert_eq!(d["QueueArn"], dlq_arn.as_str());
    assert_eq!(d["SqsManagedSseEnabled"], "true", "{d}");
    let keep = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<u64>().ok())
            .expect("seconds")
    };
    assert!(keep(&d["MessageRetentionPeriod"]) > keep(&q["MessageRetentionPeriod"]));

    assert_eq!(found["hub_bus"]["Arn"], bus_arn.as_str());
    let rules = found["hub_rules"].as_array().expect("hub rules");
    assert_eq!(rules.len(), 1, "{rules:?}");
    let pattern: Value =
        serde_json::from_str(rules[0]["EventPattern"].as_str().expect("pattern")).expect("JSON");
    assert_eq!(pattern, serde_json::json!({"source": [{"prefix": "aws."}]}));
    let targets = rules[0]["Targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 1, "{targets:?}");
    assert_eq!(targets[0]["Arn"], queue_arn.as_str());
    assert_eq!(targets[0]["DeadLetterConfig"]["Arn"], dlq_arn.as_str());

    let fwd = &found["forwarder_rule"];
    assert_eq!(fwd["Name"], RULE);
    assert_eq!(fwd["EventBusName"], "default");
    assert_eq!(fwd["State"], "ENABLED");
    assert_eq!(
        fwd["Arn"],
        format!("arn:aws:events:us-east-1:{STUDENT}:rule/{RULE}").as_str()
    );
    let pattern: Value =
        serde_json::from_str(fwd["EventPattern"].as_str().expect("pattern")).expect("JSON");
    let keys: BTreeSet<&String> = pattern
        .as_object()
        .expect("pattern object")
        .keys()
        .collect();
    assert_eq!(
        keys,
        [&"detail-type".to_string(), &"source".to_string()].into()
    );
    assert_eq!(strings(&pattern["source"]), set(&SOURCES));
    assert_eq!(strings(&pattern["detail-type"]), set(&DETAIL_TYPES));
    let targets = fwd["Targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 1, "{targets:?}");
    assert_eq!(targets[0]["Arn"], bus_arn.as_str());
    let role = targets[0]["RoleArn"]
        .as_str()
        .expect("a RoleArn on the target");
    assert!(
        role.starts_with(&format!("arn:aws:iam::{STUDENT}:role/")),
        "{role}"
    );
    assert_eq!(found["forwarder"]["outputs"]["RoleArn"], role);

    let steps = &found["steps"];
    assert_eq!(
        steps["before"],
        serde_json::json!([]),
        "the queue starts empty"
    );
    let got = |step: &str| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = steps[step]
            .as_array()
            .unwrap_or_else(|| panic!("step {step}: {steps}"))
            .iter()
            .map(|m| {
                let s = |k: &str| m[k].as_str().unwrap_or_default().to_string();
                (s("source"), s("detail-type"))
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        got("hub_bus"),
        [(SOURCES[0].to_string(), DETAIL_TYPES[0].to_string())],
        "an AWS event on the hub bus is queued, a custom one is not"
    );
    assert_eq!(
        steps["hub_bus"][0]["detail"]["stack-id"], "stack/MLOpsPipeline/1",
        "the envelope's detail is the message body's"
    );
    assert_eq!(
        got("student_bus"),
        [
            (SOURCES[1].to_string(), DETAIL_TYPES[3].to_string()),
            (SOURCES[2].to_string(), DETAIL_TYPES[5].to_string()),
        ],
        "the lab's events are forwarded, S3's and a drift detection's are not"
    );
}

/// The IAM policies of the event mode: events-reader.json grants exactly the queue's three
/// reads on the hub's queue (DeleteMessageBatch is authorized as sqs:DeleteMessage); watcher,
/// operator and operator-with-cleanup-role grant DescribeRule on the forwarder's rule and on
/// no other; both names are the templates' own.
#[test]
fn the_policies_name_the_templates_queue_and_rule() {
    assert!(text("events-hub.yaml").contains(&format!("Default: {QUEUE}\n")));
    assert!(text("events-forwarder.yaml").contains(&format!("Name: {RULE}\n")));

    assert_eq!(
        allowed("events-reader.json"),
        set(&[
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ReceiveMessage"
        ])
    );
    let queue = format!("arn:aws:sqs:us-east-1:{HUB}:{QUEUE}");
    for st in statements("events-reader.json") {
        assert_eq!(st["Resource"], "arn:aws:sqs:*:*:crossdeck-events", "{st}");
        let resource = st["Resource"].as_str().expect("one resource");
        assert!(glob(resource, &queue));
        assert!(
            !glob(resource, &format!("{queue}-dlq")),
            "the reader cannot drain the DLQ"
        );
    }

    let rule = format!("arn:aws:events:us-east-1:{STUDENT}:rule/{RULE}");
    let other = format!("arn:aws:events:us-east-1:{STUDENT}:rule/other");
    for policy in [
        "watcher.json",
        "operator.json",
        "operator-with-cleanup-role.json",
    ] {
        assert!(allowed(policy).contains("events:DescribeRule"), "{policy}");
        let with: Vec<Value> = statements(policy)
            .into_iter()
            .filter(|s| s["Action"].to_string().contains("events:"))
            .collect();
        assert_eq!(with.len(), 1, "{policy}: {with:?}");
        assert_eq!(
            with[0]["Action"],
            serde_json::json!(["events:DescribeRule"])
        );
        let resource = with[0]["Resource"].as_str().expect("one resource");
        assert!(glob(resource, &rule), "{policy}: {resource}");
        assert!(!glob(resource, &other), "{policy}: {resource}");
    }
}
