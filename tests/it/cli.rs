//! The binary's command line: version, help, bad input and a missing terminal fail cleanly.

use std::process::{Command, Output, Stdio};

fn crossdeck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdeck"))
        .args(args)
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("crossdeck-cli-test"),
        )
        .stdin(Stdio::null())
        .output()
        .expect("run crossdeck")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `git <args>` in the package's directory.
fn git(args: &[&str]) -> Option<String> {
    let o = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// `git rev-parse --short HEAD`, when the tests were built from the package's own checkout.
fn head_commit() -> Option<String> {
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let own = std::path::Path::new(&top).canonicalize().ok() == here.canonicalize().ok();
    own.then(|| git(&["rev-parse", "--short", "HEAD"]))
        .flatten()
}

#[test]
fn version_prints_the_package_version_and_the_commit() {
    let o = crossdeck(&["--version"]);
    assert!(o.status.success());
    let shown = text(&o).trim().to_string();
    let version = format!("crossdeck {}", env!("CARGO_PKG_VERSION"));
    match head_commit() {
        // Built from this checkout: the commit of HEAD follows the version.
        Some(commit) => assert_eq!(shown, format!("{version} ({commit})")),
        None => assert_eq!(shown, version),
    }
}

/// The long flags (`--name`) in a help text.
fn long_flags(help: &str) -> Vec<String> {
    let mut flags: Vec<String> = help
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_string)
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

#[test]
fn the_man_page_has_every_subcommand_and_long_flag_of_the_help() {
    let o = crossdeck(&["man"]);
    assert!(o.status.success(), "{}", text(&o));
    let roff = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH crossdeck 1"),
        "{roff}"
    );
    // Roff escapes dashes; read them back.
    let page = roff.replace("\\-", "-");
    let help = text(&crossdeck(&["--help"]));
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert_eq!(
        commands,
        [
            "demo",
            "check",
            "status",
            "config",
            "cleanup",
            "events",
            "init",
            "completions"
        ],
        "{help}"
    );
    assert!(!commands.iter().any(|c| c == "man"), "man stays hidden");
    for c in &commands {
        assert!(
            page.contains(&format!("crossdeck {c}")),
            "{c} in the man page"
        );
        for flag in long_flags(&text(&crossdeck(&[c, "--help"]))) {
            assert!(page.contains(&flag), "{c} {flag} in the man page");
        }
    }
    for flag in long_flags(&help) {
        assert!(page.contains(&flag), "{flag} in the man page");
    }
}

#[test]
fn help_explains_demo_options_and_names_the_log_file() {
    let o = crossdeck(&["demo", "--help"]);
    assert!(o.status.success());
    let t = text(&o);
    for opt in ["--participants", "--speed", "--seed", "--no-faults"] {
        assert!(t.contains(opt), "{opt} in:\n{t}");
    }
    let o = crossdeck(&["--help"]);
    let t = text(&o);
    assert!(
        t.contains("crossdeck-cli-test/crossdeck/crossdeck.log"),
        "{t}"
    );
    assert!(t.contains("RUST_LOG"), "{t}");
}

#[test]
fn bad_options_exit_2_with_a_message() {
    let o = crossdeck(&["demo", "--speed", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("speed must be above 0"), "{}", text(&o));
    let o = crossdeck(&["demo", "--participants", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--participants"), "{}", text(&o));
}

#[test]
fn no_command_and_no_config_exit_2_pointing_at_the_demo() {
    // An empty directory, home and XDG config: no config file anywhere.
    let empty = std::env::temp_dir().join(format!("crossdeck-noconf-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("temp dir");
    let o = Command::new(env!("CARGO_BIN_EXE_crossdeck"))
        .current_dir(&empty)
        .env("HOME", &empty)
        .env("XDG_CONFIG_HOME", &empty)
        .env("XDG_STATE_HOME", &empty)
        .stdin(Stdio::null())
        .output()
        .expect("run crossdeck");
    let _ = std::fs::remove_dir_all(&empty);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("crossdeck demo"), "{}", text(&o));
    assert!(text(&o).contains("no config file found"), "{}", text(&o));
}

#[test]
fn demo_without_a_terminal_fails_cleanly() {
    let o = crossdeck(&["demo"]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("needs an interactive terminal"), "{t}");
    assert!(!t.contains("panicked"), "{t}");
}

#[test]
fn the_readme_key_tables_cover_every_fleet_and_lab_view_key() {
    use crossdeck::app::keymap::Mode;
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    assert!(
        readme.contains("| Keys | Fleet view |"),
        "README has a Fleet view table"
    );
    for b in crossdeck::app::keymap::BINDINGS
        .iter()
        .filter(|b| b.modes.contains(&Mode::Lab) || b.modes.contains(&Mode::Fleet))
    {
        assert!(
            readme.contains(b.help),
            "README's key table lacks: {}",
            b.help
        );
        for k in b.keys {
            assert!(
                readme.contains(&format!("`{}`", k.label())),
                "README lacks key {}",
                k.label()
            );
        }
    }
}

#[test]
fn demo_status_json_reports_the_simulated_class() {
    let o = crossdeck(&["--demo", "status", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let labs = r["labs"].as_array().expect("labs");
    let names: Vec<&str> = labs
        .iter()
        .map(|l| l["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["alice", "bob", "carol", "dave", "erin", "frank"]);
    // erin's Stage credentials are denied in the simulated class: her Stage account carries
    // the error and her lab is blocked on it; the others' Stage accounts read fine.
    let erin = &labs[4];
    assert_eq!(erin["accounts"]["stage"]["error_kind"], "AccessDenied");
    assert!(
        erin["progress"]["blocked"]
            .as_str()
            .is_some_and(|b| b.starts_with("Stage")),
        "{}",
        erin["progress"]
    );
    assert!(labs[0]["accounts"]["stage"]["error"].is_null());
    for lab in labs {
        for role in ["tools", "datascience", "stage"] {
            let id = lab["accounts"][role]["account_id"]
                .as_str()
                .expect("account id");
            assert_eq!(id.len(), 12, "{id}");
        }
    }

    let one = crossdeck(&["--demo", "status", "--lab", "carol"]);
    assert_eq!(one.status.code(), Some(0));
    let out = String::from_utf8_lossy(&one.stdout);
    assert_eq!(
        out.lines().filter(|l| !l.starts_with(' ')).count(),
        1,
        "{out}"
    );
    assert!(out.starts_with("carol"), "{out}");
}

#[test]
fn demo_status_prices_what_the_simulated_class_runs() {
    let o = crossdeck(&["--demo", "status", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let mut billing = 0;
    for lab in r["labs"].as_array().expect("labs") {
        let mut hourly = 0.0;
        for (_, acct) in lab["accounts"].as_object().expect("accounts") {
            for b in acct["billable"].as_array().expect("billable") {
                // The simulator's instance types are all in the price table.
                let h = b["hourly_cost_usd"].as_f64().expect("a known price");
                let est = b["estimated_cost_usd"].as_f64().expect("an estimate");
                let secs = b["running_secs"].as_i64().expect("secs");
                assert!((est - h * secs as f64 / 3600.0).abs() < 1e-4, "{b}");
                assert!(["endpoint", "notebook"].contains(&b["kind"].as_str().unwrap_or("")));
                hourly += h;
                billing += 1;
            }
        }
        let total = lab["billable_hourly_usd"].as_f64().expect("hourly");
        assert!((total - hourly).abs() < 1e-4, "{}", lab["name"]);
        assert_eq!(lab["billable_unknown_prices"], 0);
        assert!(lab["billable_total_usd"].as_f64().is_some_and(|t| t >= 0.0));
        assert!(lab["endpoints_idle"].is_boolean());
    }
    assert!(billing > 0, "the simulated class runs something billable");
    // dave has launched his notebook (an ml.t3.medium): the text output says what it costs.
    let dave = &r["labs"][3];
    assert_eq!(dave["name"], "dave");
    let nb = &dave["accounts"]["datascience"]["billable"][0];
    assert_eq!(nb["kind"], "notebook");
    assert_eq!(nb["instance_type"], "ml.t3.medium");
    assert_eq!(nb["hourly_cost_usd"], 0.05);
    let one = crossdeck(&["--demo", "status", "--lab", "dave"]);
    let out = String::from_utf8_lossy(&one.stdout);
    assert!(
        out.lines()
            .any(|l| l.starts_with("  cost: 1 billing, ≈ $") && l.ends_with(", $0.050/h")),
        "{out}"
    );
}

#[test]
fn completions_cover_every_command_and_flag_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = crossdeck(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", text(&o));
        let script = String::from_utf8_lossy(&o.stdout);
        for word in [
            "cleanup",
            "status",
            "init",
            "from-organization",
            "role-name",
            "read-only",
        ] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    // The bash script parses.
    let o = crossdeck(&["completions", "bash"]);
    let dir = std::env::temp_dir().join(format!("crossdeck-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("crossdeck.bash");
    std::fs::write(&file, &o.stdout).expect("write");
    let checked = Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    let o = crossdeck(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}
