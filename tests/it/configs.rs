//! Config fixtures through the binary: every valid file loads, and every invalid one exits 2
//! with its own message at the file, line and column named in its `# expect:` first line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/configs")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn config_cmd(path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdeck"))
        .args(["config", "--config"])
        .arg(path)
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("crossdeck-config-test"),
        )
        .stdin(Stdio::null())
        .output()
        .expect("run crossdeck")
}

#[test]
fn every_valid_config_loads() {
    let files = fixtures("valid");
    assert!(files.len() >= 3, "{files:?}");
    for f in files {
        let o = config_cmd(&f);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            out.starts_with(&format!("config: {}\n", f.display())),
            "{out}"
        );
    }
}

#[test]
fn the_full_config_sets_every_key() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configs/valid/full.toml");
    let o = config_cmd(&f);
    let out = String::from_utf8_lossy(&o.stdout);
    for line in [
        "region: eu-west-1",
        "endpoint_url: http://127.0.0.1:5000",
        "read_only: true",
        "polling: 5s active, 60s steady, 32 accounts at once",
        "events: queue http://127.0.0.1:5000/123456789012/crossdeck-events (role arn:aws:iam::123456789012:role/EventsReader from profile instructor, region eu-west-1), steady polling 600s while live",
        "cost: prices for us-east-1 taken 2026-11-27, endpoints flagged 1h 30m after the pipeline finished",
        "  endpoint ml.m5.large = 0.2 USD/h",
        "  notebook ml.t3.medium = 1 USD/h",
        "keys:",
        "  approve = A",
        "  quit = q C-q",
        "  down = j ↓ Space",
        "labs: 3",
        "    tools        111111111111  profile alice-tools, region us-east-1, stacks deleted as role crossdeck-cleanup",
        "    stage        333333333333  role arn:aws:iam::333333333333:role/Admin from the default credentials, stacks deleted as arn:aws:iam::333333333333:role/path/StageCleanup",
        "    production   444444444444  profile alice-prod, stacks deleted as role ProdCleanup",
        "  carol (unique_id carol-2)",
        "    tools        511111111111  role arn:aws:iam::511111111111:role/OrganizationAccountAccessRole from profile instructor, stacks deleted as role crossdeck-cleanup",
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn every_invalid_config_names_file_line_and_column() {
    let files = fixtures("invalid");
    assert!(files.len() >= 12, "{files:?}");
    let mut messages = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read fixture");
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} lacks an `# expect:` first line", f.display()));
        // `:L:C: msg` is in the file itself; `other.csv:L:C: msg` in a file beside it.
        let wanted = if expect.starts_with(':') {
            format!("crossdeck: {}{expect}", f.display())
        } else {
            format!("crossdeck: {}/{expect}", f.parent().expect("dir").display())
        };
        let o = config_cmd(&f);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(o.status.code(), Some(2), "{}: {err}", f.display());
        assert!(
            err.starts_with(&wanted),
            "{}:\n  wanted {wanted}\n  got    {err}",
            f.display()
        );
        assert!(!err.contains("panicked"), "{err}");
        // Every message has a line and column.
        let located = err.trim_start_matches("crossdeck: ");
        let mut parts = located.splitn(4, ':');
        let (_, line, col) = (parts.next(), parts.next(), parts.next());
        assert!(
            line.is_some_and(|l| l.parse::<usize>().is_ok())
                && col.is_some_and(|c| c.parse::<usize>().is_ok()),
            "no line:col in {err}"
        );
        messages.push(err);
    }
    // Each invalid file gets its own message.
    let mut unique = messages.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), messages.len(), "{messages:#?}");
}

#[test]
fn an_unknown_lab_and_a_missing_config_exit_2() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configs/valid/minimal.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_crossdeck"))
        .args(["status", "--lab", "zed", "--config"])
        .arg(&f)
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("crossdeck-config-test"),
        )
        .output()
        .expect("run crossdeck");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no lab named 'zed'") && err.contains("(labs: alice)"),
        "{err}"
    );

    let o = config_cmd(Path::new("/nonexistent/crossdeck.toml"));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("crossdeck: /nonexistent/crossdeck.toml: cannot read the config file"),
        "{err}"
    );
}

#[test]
fn the_example_config_loads_and_documents_every_key() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = config_cmd(&root.join("config.example.toml"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let example = std::fs::read_to_string(root.join("config.example.toml")).expect("example");
    // full.toml sets every key there is; each must be explained in the example.
    let full = std::fs::read_to_string(root.join("tests/configs/valid/full.toml")).expect("full");
    let mut keys: Vec<&str> = Vec::new();
    for line in full.lines().filter(|l| !l.starts_with('#')) {
        for part in line.split([',', '{']) {
            if let Some((k, _)) = part.split_once('=') {
                keys.push(k.trim());
            }
        }
        if let Some(t) = line.strip_prefix('[') {
            keys.push(t.trim_matches(['[', ']']));
        }
    }
    assert!(keys.len() > 30, "{keys:?}");
    for k in keys {
        assert!(
            example.contains(k),
            "config.example.toml does not mention `{k}`"
        );
    }
}

#[test]
fn every_remappable_action_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("config.example.toml")).expect("example");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("readme");
    for (name, _) in crossdeck::app::remap::ACTIONS {
        let word = |text: &str| {
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| w == *name)
        };
        assert!(word(&example), "config.example.toml does not name `{name}`");
        assert!(word(&readme), "README.md does not name `{name}`");
    }
}

#[test]
fn a_lab_without_unique_id_takes_the_pipeline_stacks() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configs/valid/no_unique_id.toml");
    let o = config_cmd(&f);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.lines()
            .any(|l| l == "  alice (unique_id from the pipeline stack)"),
        "{out}"
    );
}
