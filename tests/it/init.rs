//! `crossdeck init`: the starter config written where asked and never over a file without
//! `--force`; `--from-organization` on moto: the participants of an organization become labs.

use serde_json::Value;

use crate::aws_moto::aws_files;
use crate::moto::{Moto, Scratch, python_json};

const EXAMPLE: &str = include_str!("../../config.example.toml");

#[test]
fn init_writes_the_starter_config_and_says_what_to_fill_in() {
    let s = Scratch::new("init-starter");
    let o = s.crossdeck(&["init"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let written = std::fs::read_to_string(s.dir.join("crossdeck.toml")).expect("written");
    assert_eq!(written, EXAMPLE);
    assert!(out.starts_with("wrote crossdeck.toml"), "{out}");
    assert!(out.contains("account_id"), "{out}");
    // The starter loads as it is.
    let o = s.crossdeck(&["config", "--config", "crossdeck.toml"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
}

#[test]
fn init_never_overwrites_without_force_and_takes_an_output_path() {
    let s = Scratch::new("init-existing");
    s.write("crossdeck.toml", "# mine\n");
    let o = s.crossdeck(&["init"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("crossdeck.toml already exists: not overwritten"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(s.dir.join("crossdeck.toml")).expect("kept"),
        "# mine\n"
    );
    let o = s.crossdeck(&["init", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(
        std::fs::read_to_string(s.dir.join("crossdeck.toml")).expect("replaced"),
        EXAMPLE
    );
    let o = s.crossdeck(&["init", "--output", "class.toml"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("wrote class.toml"));
    assert_eq!(
        std::fs::read_to_string(s.dir.join("class.toml")).expect("written"),
        EXAMPLE
    );
}

fn org_init(s: &Scratch, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["init", "--from-organization", "--profile", "instructor"];
    args.extend(extra);
    let o = s.crossdeck(&args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// The labs' names in a written config, in order.
fn lab_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|n| n.trim_end_matches('"').to_string())
        .collect()
}

fn id(made: &Value, who: &str, role: &str) -> String {
    made["participants"][who][role]
        .as_str()
        .unwrap_or_else(|| panic!("{who} {role}"))
        .to_string()
}

#[test]
fn init_from_an_organization_writes_each_complete_participant_and_names_the_incomplete() {
    let moto = Moto::start();
    let made = python_json("seed_org.py", &["--endpoint", &moto.url]);
    let s = Scratch::new("init-org");
    aws_files(&s, &moto);
    let (code, out, err) = org_init(&s, &["--output", "class.toml"]);
    // cara lacks her Stage account: the others are written, and the exit says not all were.
    assert_eq!(code, Some(1), "{out}{err}");
    let text = std::fs::read_to_string(s.dir.join("class.toml")).expect("written");
    assert_eq!(lab_names(&text), ["ana", "ben", "dora"], "{text}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("cara ") && l.ends_with("INCOMPLETE: no Stage account")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("ben ") && l.ends_with("not deployed yet")),
        "{out}"
    );
    // The 25 sandboxes, the account at the root and the management account fit no rule.
    assert!(
        out.contains("4 participants: 3 complete, 1 incomplete; 27 accounts fit no rule"),
        "{out}"
    );
    // ListRoots, ListOrganizationalUnitsForParent for root, class and dora, ListAccountsForParent
    // for the three (two pages for the class OU's 34 accounts), ListTagsForResource for 39.
    let calls: usize = out
        .split(" Organizations calls")
        .next()
        .and_then(|h| h.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a call count in {out}"));
    assert_eq!(calls, 1 + 3 + 4 + 39, "{out}");
    println!("{out}");
    // Each account is named in the comment above its lab.
    assert!(
        text.contains(&format!(
            "# dora: dora-tools ({}, OU dora), dora_DS ({}, OU dora), dora.stage ({}, OU dora)\n",
            id(&made, "dora", "tools"),
            id(&made, "dora", "datascience"),
            id(&made, "dora", "stage")
        )),
        "{text}"
    );

    // The written file loads, and every account is read through the access role.
    let o = s.crossdeck(&["status", "--json", "--config", "class.toml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let labs = report["labs"].as_array().expect("labs");
    let want = [
        ("ana", Value::from("ana7"), 4),
        ("ben", Value::Null, 3),
        ("dora", Value::from("dora-3"), 3),
    ];
    assert_eq!(labs.len(), want.len());
    for (lab, (name, uid, n)) in labs.iter().zip(want) {
        assert_eq!(lab["name"], name);
        assert_eq!(lab["unique_id"], uid, "{name}");
        let accounts = lab["accounts"].as_object().expect("accounts");
        assert_eq!(accounts.len(), n, "{name}");
        for (role, a) in accounts {
            assert_eq!(a["account_id"], id(&made, name, role), "{name} {role}");
            assert!(a["error"].is_null(), "{name} {role}: {a}");
        }
    }
}

#[test]
fn a_dry_run_writes_nothing_and_an_existing_file_is_kept() {
    let moto = Moto::start();
    python_json("seed_org.py", &["--endpoint", &moto.url]);
    let s = Scratch::new("init-org-dry");
    aws_files(&s, &moto);
    // Only the class OU's tree: dora's OU under it counts, the root's accounts do not.
    let (code, out, err) = org_init(&s, &["--dry-run", "--ou", "class"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(lab_names(&out), ["ana", "ben", "dora"], "{out}");
    assert!(out.contains("25 accounts fit no rule"), "{out}");
    assert!(!s.dir.join("crossdeck.toml").exists());
    s.write("crossdeck.toml", "# mine\n");
    let (code, out, err) = org_init(&s, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains("crossdeck.toml already exists: not overwritten"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(s.dir.join("crossdeck.toml")).expect("kept"),
        "# mine\n"
    );
}

#[test]
fn an_account_outside_any_organization_exits_2_naming_the_profile() {
    let moto = Moto::start();
    let s = Scratch::new("init-org-none");
    aws_files(&s, &moto);
    let (code, out, err) = org_init(&s, &["--output", "class.toml"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("profile instructor reaches account 123456789012"),
        "{err}"
    );
    assert!(err.contains("is not in an organization"), "{err}");
    assert!(!s.dir.join("class.toml").exists());
}

#[test]
fn init_through_identity_center_needs_the_session_and_the_role_name() {
    let s = Scratch::new("init-sso-args");
    for args in [
        &["init", "--from-organization", "--sso-session", "class"][..],
        &["init", "--from-organization", "--sso-role-name", "LabAdmin"][..],
        &[
            "init",
            "--sso-session",
            "class",
            "--sso-role-name",
            "LabAdmin",
        ][..],
    ] {
        let o = s.crossdeck(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("required"), "{args:?}: {err}");
    }
    assert!(!s.dir.join("crossdeck.toml").exists());
}
