//! The IAM policies in `assets/iam/` against the code: every SDK operation called under
//! `src/backend/aws/` is allowed by operator.json, every read by watcher.json, and watcher.json
//! allows nothing that changes anything.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::aws_actions::every_action;

/// Fewer operations than this means the scanner broke, not that the code shrank.
const MIN_OPERATIONS: usize = 30;

/// The clients' field names in `Clients`, and the IAM service prefix of each.
const FIELDS: [(&str, &str); 8] = [
    ("sts", "sts"),
    ("cfn", "cloudformation"),
    ("sc", "servicecatalog"),
    ("cp", "codepipeline"),
    ("sm", "sagemaker"),
    ("s3", "s3"),
    ("cw", "cloudwatch"),
    // SageMaker Runtime's actions are in the `sagemaker` IAM namespace.
    ("smr", "sagemaker"),
];

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
/// one (each crate is named after its IAM prefix).
fn file_service(src: &str) -> Option<&'static str> {
    let services: BTreeSet<&'static str> = FIELDS.iter().map(|(_, svc)| *svc).collect();
    let mut named = services
        .into_iter()
        .filter(|svc| src.contains(&format!("aws_sdk_{svc}::Client")));
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
        _ => vec![format!("{service}:{}", pascal(op))],
    }
}

/// Allowed actions of a policy file, checked for shape on the way.
fn allowed(name: &str) -> BTreeSet<String> {
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
        iam_actions("s3", "delete_objects"),
        ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    );
    assert_eq!(
        iam_actions("sagemaker", "create_presigned_notebook_instance_url"),
        ["sagemaker:CreatePresignedNotebookInstanceUrl"]
    );
}

#[test]
fn operator_allows_every_call_and_watcher_every_read() {
    let operator = allowed("operator.json");
    let watcher = allowed("watcher.json");
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
    let mut missing = Vec::new();
    for (action, at) in &needed {
        if !operator.contains(action) {
            missing.push(format!("operator.json lacks {action} ({at})"));
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
