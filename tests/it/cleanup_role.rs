//! The cleanup service role on the wire: with `cleanup_role_name` at the top of the config (and
//! one account's own `cleanup_role_arn`), every DeleteStack that `cleanup --execute` sends to
//! moto carries RoleARN, that account's role; without it, none does.

use serde_json::Value;

use crate::aws_moto::{ALICE, aws_files, config};
use crate::cleanup_moto::start_recording;
use crate::moto::{Moto, Scratch, python_json};

/// The account each of the lab's stacks lives in.
fn account_of(stack: &str) -> &'static str {
    match stack {
        "LabSCToolsAccountSetup" | "MLOpsPipelinePrep" | "MLOpsPipeline" => ALICE[0],
        "LabDSAccountSCSetup" | "DSResources" => ALICE[1],
        "StageResources" => ALICE[2],
        other => panic!("DeleteStack of {other}, not one of the lab's stacks"),
    }
}

/// Seed the lab into a fresh moto, let `with` edit the config, run the whole cleanup, and
/// return the parameters of the DeleteStack requests it sent.
fn delete_stacks(name: &str, with: impl Fn(String) -> String) -> Vec<Value> {
    let s = Scratch::new(name);
    let recording = s.dir.join("moto_recording");
    let recording = recording.to_str().expect("utf-8 path");
    let moto = Moto::start_with_env(&[("MOTO_RECORDER_FILEPATH", recording)]);
    aws_files(&s, &moto);
    moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    config(&s, &moto, false);
    let text = std::fs::read_to_string(s.dir.join("crossdeck.toml")).expect("config");
    s.write("crossdeck.toml", &with(text));
    start_recording(&moto);
    let run = s.crossdeck(&[
        "cleanup",
        "--lab",
        "alice",
        "--execute",
        "--confirm",
        &ALICE.join(","),
    ]);
    // moto cannot search provisioned products: the DataScience stacks are withheld (exit 1),
    // the Tools and Stage stacks are deleted.
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let calls = python_json("recorded_ops.py", &[recording]);
    calls
        .as_array()
        .expect("a list")
        .iter()
        .filter(|c| c["op"] == "DeleteStack")
        .map(|c| c["params"].clone())
        .collect()
}

#[test]
fn delete_stack_passes_each_accounts_cleanup_role() {
    // Without a cleanup role, DeleteStack carries no RoleARN.
    let plain = delete_stacks("moto-cleanup-no-role", |t| t);
    assert!(plain.len() >= 4, "{plain:?}");
    for p in &plain {
        assert!(p.get("RoleARN").is_none(), "{p}");
    }

    // With one: the name builds each account's ARN; Stage names its own role.
    let stage_role = format!("arn:aws:iam::{}:role/StageCleanup", ALICE[2]);
    let with_role = delete_stacks("moto-cleanup-role", |text| {
        let text = format!("cleanup_role_name = \"crossdeck-cleanup\"\n{text}").replace(
            &format!("{{ account_id = \"{}\"", ALICE[2]),
            &format!(
                "{{ account_id = \"{}\", cleanup_role_arn = \"{stage_role}\"",
                ALICE[2]
            ),
        );
        assert!(text.contains(&stage_role), "{text}");
        text
    });
    let mut stacks: Vec<&str> = with_role
        .iter()
        .map(|p| p["StackName"].as_str().expect("StackName"))
        .collect();
    stacks.sort_unstable();
    stacks.dedup();
    assert_eq!(
        stacks,
        [
            "LabSCToolsAccountSetup",
            "MLOpsPipeline",
            "MLOpsPipelinePrep",
            "StageResources"
        ],
        "{with_role:?}"
    );
    for p in &with_role {
        let stack = p["StackName"].as_str().expect("StackName");
        let account = account_of(stack);
        let wanted = if account == ALICE[2] {
            stage_role.clone()
        } else {
            format!("arn:aws:iam::{account}:role/crossdeck-cleanup")
        };
        assert_eq!(p["RoleARN"], wanted.as_str(), "{p}");
    }
}
