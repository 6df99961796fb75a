//! Puts the git commit into `crossdeck --version` when built from a checkout; elsewhere (a
//! crate tarball, no git) the version is the package's alone.

use std::path::Path;
use std::process::Command;

/// `git <args>` in the package's directory, trimmed; `None` when git or the checkout is absent.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    println!("cargo:rerun-if-changed=build.rs");
    // Only this package's own checkout counts, not a repository it happens to sit in.
    let own = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        Path::new(&top).canonicalize().ok() == here.canonicalize().ok()
    });
    let commit = own
        .then(|| git(&["rev-parse", "--short", "HEAD"]))
        .flatten();
    let Some(commit) = commit else {
        println!("cargo:rustc-env=CROSSDECK_VERSION={version}");
        return;
    };
    // Build again when HEAD moves: HEAD itself (a checkout), the branch's ref file (a commit)
    // and packed-refs. In a worktree these live under the worktree's and the common git dir.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &name])
            && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rustc-env=CROSSDECK_VERSION={version} ({commit})");
}
