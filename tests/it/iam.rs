//! The IAM policies in `assets/iam/` against the code: every SDK operation called under
//! `src/backend/aws/` is allowed by operator.json, every read by watcher.json, and watcher.json
//! allows nothing that changes anything; the event queue's calls (SQS, in the instructor's
//! account) are allowed by events-reader.json instead. Against the guide's stacks: every permission
//! CloudFormation needs to delete their resources (the resource provider schemas' delete
//! handlers, as the pinned cfn-lint bundles them) is granted by operator.json and by the cleanup
//! service role, and the templates in tests/moto/templates/ pass cfn-lint.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::aws_actions::every_action;

/// Fewer operations than this means the scanner broke, not that the code shrank.
const MIN_OPERATIONS: usize = 30;

/// The clients' field names in `Clients`, and the IAM service prefix of each.
const FIELDS: [(&str, &str); 11] = [
    ("sts", "sts"),
    ("cfn", "cloudformation"),
    ("sc", "servicecatalog"),
    ("cp", "codepipeline"),
    ("sm", "sagemaker"),
    ("s3", "s3"),
    ("cw", "cloudwatch"),
    // SageMaker Runtime's actions are in the `sagemaker` IAM namespace.
    ("smr", "sagemaker"),
    ("sqs", "sqs"),
    ("eb", "events"),
    ("eventbridge", "events"),
];

/// The SDK crates whose `aws_sdk_<crate>::Client` a file may name, and the IAM prefix of each:
/// the crate's own name, but for EventBridge (`aws_sdk_eventbridge`, actions `events:…`).
const CRATES: [(&str, &str); 9] = [
    ("sts", "sts"),
    ("cloudformation", "cloudformation"),
    ("servicecatalog", "servicecatalog"),
    ("codepipeline", "codepipeline"),
    ("sagemaker", "sagemaker"),
    ("s3", "s3"),
    ("cloudwatch", "cloudwatch"),
    ("sqs", "sqs"),
    ("eventbridge", "events"),
];

/// The IAM prefix whose calls are the event queue's: allowed by events-reader.json, in the
/// instructor's account, not by the lab accounts' policies.
const QUEUE_SERVICE: &str = "sqs";

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The IAM prefix of the one SDK client type a file names (`aws_sdk_x::Client`), if exactly
/// one.
fn file_service(src: &str) -> Option<&'static str> {
    let named: BTreeSet<&'static str> = CRATES
        .iter()
        .filter(|(krate, _)| src.contains(&format!("aws_sdk_{krate}::Client")))
        .map(|(_, svc)| *svc)
        .collect();
    let mut named = named.into_iter();
    match (named.next(), named.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// From `open` (a '('), the index just past its matching ')'.
fn close_paren(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Skip whitespace from `i`, then read `.name(…)`: the name and the index past its ')'.
fn method_at(b: &[u8], mut i: usize) -> Option<(String, usize)> {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    if b.get(i) != Some(&b'.') {
        return None;
    }
    let start = i + 1;
    // A raw identifier (`.r#type(…)`) is a method too.
    let mut end = if b[start..].starts_with(b"r#") {
        start + 2
    } else {
        start
    };
    while end < b.len() && ident_char(b[end]) {
        end += 1;
    }
    if end == start || b.get(end) != Some(&b'(') {
        return None;
    }
    let name = String::from_utf8_lossy(&b[start..end]).into_owned();
    Some((name, close_paren(b, end)?))
}

/// SDK operations in one file: `<recv>.<op>(…)` followed by a chain of builder calls that ends
/// in `.send()` or `.into_paginator()`, where `<recv>` is a client field (`c.cfn`, `self.sm`) or
/// a `client` variable of the file's one SDK client type. Returns (IAM prefix, op in snake_case).
fn operations(src: &str) -> Vec<(&'static str, String)> {
    let b = src.as_bytes();
    let fallback = file_service(src);
    let mut out = Vec::new();
    for i in 0..b.len() {
        if b[i] != b'.' {
            continue;
        }
        // The receiver: the identifier before the dot (whitespace and newlines allowed).
        let mut end = i;
        while end > 0 && b[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && ident_char(b[start - 1]) {
            start -= 1;
        }
        let receiver = &src[start..end];
        let service = match FIELDS.iter().find(|(f, _)| *f == receiver) {
            Some((_, svc)) => Some(*svc),
            None if receiver == "client" => fallback,
            None => None,
        };
        let Some(service) = service else { continue };
        let Some((op, mut next)) = method_at(b, i) else {
            continue;
        };
        while let Some((method, after)) = method_at(b, next) {
            if method == "send" || method == "into_paginator" {
                out.push((service, op.clone()));
                break;
            }
            next = after;
        }
    }
    out
}

/// `list_objects_v2` → `ListObjectsV2`.
fn pascal(op: &str) -> String {
    op.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The IAM actions one SDK operation needs.
fn iam_actions(service: &str, op: &str) -> Vec<String> {
    let s3 = |names: &[&str]| names.iter().map(|n| format!("s3:{n}")).collect();
    match (service, op) {
        ("s3", "list_objects_v2" | "head_bucket") => s3(&["ListBucket"]),
        ("s3", "list_object_versions") => s3(&["ListBucketVersions"]),
        ("s3", "delete_objects") => s3(&["DeleteObject", "DeleteObjectVersion"]),
        ("s3", "list_buckets") => s3(&["ListAllMyBuckets"]),
        ("s3", "head_object") => s3(&["GetObject"]),
        // SQS's batch calls are authorized as their single-message actions.
        ("sqs", "delete_message_batch") => vec!["sqs:DeleteMessage".to_string()],
        ("sqs", "send_message_batch") => vec!["sqs:SendMessage".to_string()],
        ("sqs", "change_message_visibility_batch") => {
            vec!["sqs:ChangeMessageVisibility".to_string()]
        }
        // Without a StackName (how the poll lists stacks) DescribeStacks needs ListStacks too.
        ("cloudformation", "describe_stacks") => vec![
            "cloudformation:DescribeStacks".to_string(),
            "cloudformation:ListStacks".to_string(),
        ],
        _ => vec![format!("{service}:{}", pascal(op))],
    }
}

/// Allowed actions of a policy file, checked for shape on the way.
pub(crate) fn allowed(name: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/iam")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("policy file");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("policy is JSON");
    assert_eq!(doc["Version"], "2012-10-17", "{name}");
    let statements = doc["Statement"].as_array().expect("Statement list");
    let mut out = BTreeSet::new();
    for st in statements {
        assert_eq!(st["Effect"], "Allow", "{name}: {st}");
        assert!(st.get("Resource").is_some(), "{name}: no Resource in {st}");
        let actions = match &st["Action"] {
            serde_json::Value::String(a) => vec![a.clone()],
            serde_json::Value::Array(a) => a
                .iter()
                .map(|v| v.as_str().expect("action string").to_string())
                .collect(),
            other => panic!("{name}: Action is {other}"),
        };
        for a in actions {
            assert!(
                !a.contains('*')
                    && a.split_once(':').is_some_and(|(s, n)| !s.is_empty()
                        && n.chars().next().is_some_and(|c| c.is_ascii_uppercase())),
                "{name}: {a} is not one named action"
            );
            out.insert(a);
        }
    }
    out
}

fn is_read(action: &str) -> bool {
    let name = action.split_once(':').map_or(action, |(_, n)| n);
    ["Describe", "List", "Get", "Head", "Search"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// Every IAM action the code under src/backend/aws needs, with where each was seen.
fn needed() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/backend/aws");
    let mut out = Vec::new();
    for file in rust_files(&dir) {
        let src = std::fs::read_to_string(&file).expect("source");
        let shown = file
            .strip_prefix(&dir)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (service, op) in operations(&src) {
            for a in iam_actions(service, &op) {
                out.push((a, format!("{shown}: {op}")));
            }
        }
    }
    out
}

#[test]
fn the_scanner_finds_calls_in_every_style_and_nothing_else() {
    let src = r#"
use aws_sdk_codepipeline::Client;
async fn f(c: &Clients, client: &Client) {
    c.cfn.describe_stacks().into_paginator().send();
    let out = c
        .s3
        .list_object_versions()
        .bucket(b)
        .set_key_marker(next.take().map(|k| k.to_string()))
        .send()
        .await;
    client
        .get_pipeline_state()
        .r#type(kind)
        .name(name)
        .send()
        .await?;
    let region = c.sm.config().region();
    let copy = client.clone();
    out.delete_markers().len();
}
"#;
    let found = operations(src);
    assert_eq!(
        found,
        [
            ("cloudformation", "describe_stacks".to_string()),
            ("s3", "list_object_versions".to_string()),
            ("codepipeline", "get_pipeline_state".to_string()),
        ]
    );
    assert_eq!(iam_actions("s3", "list_objects_v2"), ["s3:ListBucket"]);
    assert_eq!(
        iam_actions("cloudformation", "describe_stacks"),
        ["cloudformation:DescribeStacks", "cloudformation:ListStacks"]
    );
    assert_eq!(
        iam_actions("s3", "delete_objects"),
        ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    );
    assert_eq!(
        iam_actions("sagemaker", "create_presigned_notebook_instance_url"),
        ["sagemaker:CreatePresignedNotebookInstanceUrl"]
    );
}

#[test]
fn the_scanner_knows_the_event_queue_and_eventbridge() {
    let queue = r#"
use aws_sdk_sqs::Client;
async fn f(client: &Client, c: &Clients) {
    client
        .receive_message()
        .queue_url(url)
        .wait_time_seconds(20)
        .send()
        .await?;
    client.delete_message_batch().set_entries(Some(done)).send().await?;
    c.sqs.get_queue_attributes().queue_url(url).send().await?;
}
"#;
    assert_eq!(
        operations(queue),
        [
            ("sqs", "receive_message".to_string()),
            ("sqs", "delete_message_batch".to_string()),
            ("sqs", "get_queue_attributes".to_string()),
        ]
    );
    // The crate is aws_sdk_eventbridge, the IAM prefix `events`.
    let rules = r#"
use aws_sdk_eventbridge::Client;
async fn g(client: &Client) {
    client.describe_rule().name("crossdeck-lab-events").send().await
}
"#;
    assert_eq!(file_service(rules), Some("events"));
    assert_eq!(operations(rules), [("events", "describe_rule".to_string())]);
    assert_eq!(
        iam_actions("events", "describe_rule"),
        ["events:DescribeRule"]
    );
    // DeleteMessageBatch has no IAM action of its own.
    assert_eq!(
        iam_actions("sqs", "delete_message_batch"),
        ["sqs:DeleteMessage"]
    );
    assert_eq!(
        iam_actions("sqs", "get_queue_attributes"),
        ["sqs:GetQueueAttributes"]
    );
    // Two client types in one file: a `client` variable is neither.
    let both = "use aws_sdk_sqs::Client; use aws_sdk_eventbridge::Client as Eb;\n\
                fn h() { client.receive_message().send(); }";
    assert_eq!(file_service(both), None);
    assert!(operations(both).is_empty());
}

#[test]
fn operator_allows_every_call_and_watcher_every_read() {
    let operator = allowed("operator.json");
    let with_role = allowed("operator-with-cleanup-role.json");
    let watcher = allowed("watcher.json");
    let reader = allowed("events-reader.json");
    let needed = needed();
    let distinct: BTreeSet<&str> = needed.iter().map(|(a, _)| a.as_str()).collect();
    assert!(
        distinct.len() >= MIN_OPERATIONS,
        "only {} operations found; is the scanner broken? {distinct:?}",
        distinct.len()
    );
    // Each way of calling is seen: a client field, a `client` variable, a paginated list.
    for known in [
        "cloudformation:DescribeStacks",
        "cloudformation:ListStacks",
        "servicecatalog:DescribePortfolioShares",
        "codepipeline:GetPipelineState",
        "s3:ListBucket",
        "s3:ListAllMyBuckets",
        "sts:GetCallerIdentity",
        "servicecatalog:ProvisionProduct",
        "codepipeline:PutApprovalResult",
        "sagemaker:CreatePresignedNotebookInstanceUrl",
        "cloudwatch:GetMetricData",
        "sagemaker:InvokeEndpoint",
    ] {
        assert!(distinct.contains(known), "{known} not found in the code");
    }
    // AssumeRole is the source identity's permission (the instructor's, on the lab roles it
    // assumes), not one a lab account's policy grants.
    assert!(distinct.contains("sts:AssumeRole"), "{distinct:?}");
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    assert!(
        readme.contains("`sts:AssumeRole` on the role"),
        "the README says who needs sts:AssumeRole"
    );
    let mut missing = Vec::new();
    for (action, at) in needed.iter().filter(|(a, _)| a != "sts:AssumeRole") {
        if action.starts_with(&format!("{QUEUE_SERVICE}:")) {
            if !reader.contains(action) {
                missing.push(format!("events-reader.json lacks {action} ({at})"));
            }
            continue;
        }
        if !operator.contains(action) {
            missing.push(format!("operator.json lacks {action} ({at})"));
        }
        if !with_role.contains(action) {
            missing.push(format!(
                "operator-with-cleanup-role.json lacks {action} ({at})"
            ));
        }
        if is_read(action) && !watcher.contains(action) {
            missing.push(format!("watcher.json lacks {action} ({at})"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn watcher_changes_nothing_and_operator_covers_it_and_every_action() {
    let operator = allowed("operator.json");
    let watcher = allowed("watcher.json");
    let writes: Vec<&String> = watcher.iter().filter(|a| !is_read(a)).collect();
    assert!(writes.is_empty(), "watcher.json allows changes: {writes:?}");
    let lacking: Vec<&String> = watcher.difference(&operator).collect();
    assert!(lacking.is_empty(), "operator.json lacks: {lacking:?}");
    for action in every_action() {
        for op in action.operations() {
            assert!(
                operator.contains(*op),
                "operator.json lacks {op} ({action:?})"
            );
        }
    }
    // The cleanup module's calls (ListObjectVersions, DeleteObjects, DeleteBucket, DeleteStack,
    // TerminateProvisionedProduct, DeleteEndpoint/Config, DeleteModel, DescribeEndpoint/Config).
    for op in [
        "s3:ListBucketVersions",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:DeleteBucket",
        "cloudformation:DeleteStack",
        "servicecatalog:TerminateProvisionedProduct",
        "sagemaker:DeleteEndpoint",
        "sagemaker:DeleteEndpointConfig",
        "sagemaker:DeleteModel",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
    ] {
        assert!(operator.contains(op), "operator.json lacks {op}");
        if is_read(op) {
            assert!(watcher.contains(op), "watcher.json lacks {op}");
        }
    }
}

/// The venv's python (`CROSSDECK_MOTO_PYTHON` overrides), as the moto harness finds it.
pub(crate) fn venv_python() -> PathBuf {
    std::env::var_os("CROSSDECK_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"))
}

/// The guide-shaped templates, sorted.
fn templates() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/templates");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/moto/templates")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

/// IAM's wildcard match: `*` any run of characters, `?` one; case-insensitive (as for actions).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (
        pattern.to_ascii_lowercase().chars().collect(),
        text.to_ascii_lowercase().chars().collect(),
    );
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A policy file's statements.
pub(crate) fn statements(name: &str) -> Vec<serde_json::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/iam")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("policy file");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("policy is JSON");
    assert_eq!(doc["Version"], "2012-10-17", "{name}");
    doc["Statement"].as_array().expect("Statement list").clone()
}

/// Every action pattern the Allow statements of a policy name (wildcards kept).
fn granted(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for st in statements(name) {
        assert_eq!(st["Effect"], "Allow", "{name}: {st}");
        assert!(st.get("NotAction").is_none(), "{name}: NotAction in {st}");
        match &st["Action"] {
            serde_json::Value::String(a) => out.push(a.clone()),
            serde_json::Value::Array(a) => out.extend(
                a.iter()
                    .map(|v| v.as_str().expect("action string").to_string()),
            ),
            other => panic!("{name}: Action is {other}"),
        }
    }
    out
}

fn grants(patterns: &[String], permission: &str) -> bool {
    patterns.iter().any(|p| glob(p, permission))
}

#[test]
fn actions_match_the_way_iam_matches_them() {
    let have =
        |p: &[&str], perm: &str| grants(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>(), perm);
    assert!(have(&["ec2:Delete*"], "ec2:DeleteVpc"));
    assert!(have(&["*"], "kms:ScheduleKeyDeletion"));
    assert!(have(&["iam:*Role"], "iam:DeleteRole"));
    assert!(have(&["s3:ListBucket"], "S3:listbucket"));
    assert!(have(&["s3:?etObject"], "s3:GetObject"));
    assert!(!have(&["ec2:Delete*"], "ec2:DescribeVpcs"));
    assert!(!have(&["s3:ListBucket"], "s3:ListBucketVersions"));
    assert!(!have(&["iam:Delete*"], "iam:DetachRolePolicy"));
    assert!(!have(&["lambda:*"], "ec2:DescribeNetworkInterfaces"));
    assert!(!have(&[], "sts:GetCallerIdentity"));
}

/// The guide's stacks (and the product's) need, to be deleted, every permission the provider
/// schemas' delete handlers list for their resource types: operator.json grants them all for a
/// cleanup without a service role, cleanup-service-role.json for one with it. Each template
/// also passes cfn-lint. A missing venv or cfn-lint fails the test.
#[test]
fn policies_grant_every_delete_permission_of_the_guides_stacks() {
    let files = templates();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    for stack in [
        "LabSCToolsAccountSetup.yaml",
        "MLOpsPipelinePrep.yaml",
        "MLOpsPipeline.yaml",
        "LabDSAccountSCSetup.yaml",
        "DSResources.yaml",
        "StageResources.yaml",
        "product.yaml",
    ] {
        assert!(names.iter().any(|n| n == stack), "no template {stack}");
    }
    let args: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let python = venv_python();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/delete_permissions.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .args(&args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e} (scripts/moto-venv.sh installs .venv with cfn-lint)",
                python.display()
            )
        });
    assert!(
        out.status.success(),
        "{} failed (is cfn-lint installed? scripts/moto-venv.sh): {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let per_template = found["templates"].as_object().expect("templates");
    assert_eq!(per_template.len(), files.len(), "{found}");

    // Every resource type of aws-facts.md's table is in some template.
    let types: BTreeSet<&str> = per_template
        .values()
        .flat_map(|t| t.as_object().expect("types").keys())
        .map(String::as_str)
        .collect();
    for t in [
        "AWS::ServiceCatalog::Portfolio",
        "AWS::ServiceCatalog::CloudFormationProduct",
        "AWS::ServiceCatalog::PortfolioProductAssociation",
        "AWS::ServiceCatalog::PortfolioShare",
        "AWS::ServiceCatalog::AcceptedPortfolioShare",
        "AWS::ServiceCatalog::TagOption",
        "AWS::ServiceCatalog::TagOptionAssociation",
        "AWS::ServiceCatalog::LaunchRoleConstraint",
        "AWS::ServiceCatalog::PortfolioPrincipalAssociation",
        "AWS::S3::Bucket",
        "AWS::CodePipeline::Pipeline",
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
        "AWS::SSM::Parameter",
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::InternetGateway",
        "AWS::EC2::VPCGatewayAttachment",
        "AWS::EC2::RouteTable",
        "AWS::EC2::Route",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::SecurityGroup",
        "AWS::SageMaker::NotebookInstanceLifecycleConfig",
        "AWS::SageMaker::NotebookInstance",
    ] {
        assert!(types.contains(t), "no template has {t}: {types:?}");
    }

    let mut missing = Vec::new();
    let mut checked = 0;
    for policy in ["operator.json", "cleanup-service-role.json"] {
        let have = granted(policy);
        for (template, types) in per_template {
            let template = Path::new(template)
                .file_name()
                .map_or(template.clone(), |n| n.to_string_lossy().into_owned());
            for (t, perms) in types.as_object().expect("types") {
                for p in perms.as_array().expect("permissions") {
                    let p = p.as_str().expect("permission");
                    checked += 1;
                    if !grants(&have, p) {
                        missing.push(format!("{policy} lacks {p} (deleting {t} in {template})"));
                    }
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        checked >= 100,
        "only {checked} permissions checked: {found}"
    );
    assert!(missing.is_empty(), "{}", missing.join("\n"));

    // cfn-lint: no errors (warnings are allowed). Exit code bit 2 means an error.
    let (code, text) = cfn_lint(&args);
    assert!(
        code & !(4 | 8) == 0,
        "cfn-lint found errors (exit {code}):\n{text}"
    );
}

/// The pinned cfn-lint (the venv's) on some templates: its exit code (bit 2: an error, 4: a
/// warning, 8: informational) and what it printed. Panics when it cannot run at all.
pub(crate) fn cfn_lint(templates: &[&str]) -> (i32, String) {
    let python = venv_python();
    let lint = std::process::Command::new(&python)
        .args([
            "-c",
            "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())",
            "--format",
            "parseable",
        ])
        .args(templates)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run cfn-lint with {}: {e} (scripts/moto-venv.sh installs it)",
                python.display()
            )
        });
    let code = lint.status.code().expect("cfn-lint exit code");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    // A python without cfnlint fails with exit 1 (an uncaught ImportError), which is no lint.
    assert!(
        !text.contains("ModuleNotFoundError"),
        "cfn-lint is not installed for {}: run scripts/moto-venv.sh\n{text}",
        python.display()
    );
    (code, text)
}

/// The two ways to run the cleanup stay consistent: the cleanup service role holds exactly
/// operator.json's stack-delete statements, trusts CloudFormation only, and
/// operator-with-cleanup-role.json is operator.json without them plus iam:PassRole on the
/// role, for CloudFormation only.
#[test]
fn the_cleanup_role_policies_split_operator_json_in_two() {
    let operator = statements("operator.json");
    let (delete, rest): (Vec<_>, Vec<_>) = operator.into_iter().partition(|s| {
        s["Sid"]
            .as_str()
            .is_some_and(|s| s.starts_with("StackDelete"))
    });
    assert!(delete.len() >= 10, "{delete:?}");
    assert_eq!(statements("cleanup-service-role.json"), delete);

    let with_role = statements("operator-with-cleanup-role.json");
    let (pass, kept): (Vec<_>, Vec<_>) = with_role
        .into_iter()
        .partition(|s| s["Action"].to_string().contains("iam:PassRole"));
    assert_eq!(kept, rest);
    assert_eq!(pass.len(), 1, "{pass:?}");
    assert_eq!(pass[0]["Action"], serde_json::json!(["iam:PassRole"]));
    assert_eq!(
        pass[0]["Resource"], "arn:aws:iam::*:role/crossdeck-cleanup",
        "the README's role name"
    );
    assert_eq!(
        pass[0]["Condition"]["StringEquals"]["iam:PassedToService"],
        "cloudformation.amazonaws.com"
    );

    let trust =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/iam/cleanup-service-role-trust.json");
    let trust: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(trust).expect("trust policy")).expect("JSON");
    let st = trust["Statement"].as_array().expect("statements");
    assert_eq!(st.len(), 1, "{trust}");
    assert_eq!(st[0]["Effect"], "Allow");
    assert_eq!(
        st[0]["Principal"],
        serde_json::json!({"Service": "cloudformation.amazonaws.com"})
    );
    assert_eq!(st[0]["Action"], "sts:AssumeRole");
}
