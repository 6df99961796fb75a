//! `crossdeck init`: the starter config written where asked and never over a file without
//! `--force`; `--from-organization` on moto: the participants of an organization become labs.

use crate::moto::Scratch;

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
