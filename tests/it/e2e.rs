//! End to end: the real binary in tmux; keys sent, the screen captured, the terminal checked after.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A tmux server of our own, killed when the test ends however it ends.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(width: u16, height: u16, shell_cmd: &str) -> Tmux {
        static N: AtomicU32 = AtomicU32::new(0);
        let socket = format!(
            "crossdeck-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let t = Tmux { socket };
        let out = t.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "sh",
            "-c",
            shell_cmd,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux must be installed to run the end-to-end test (apt-get install tmux)")
    }

    pub fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", "e2e"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "e2e", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn send(&self, keys: &str) {
        let out = self.run(&["send-keys", "-t", "e2e", keys]);
        assert!(out.status.success(), "send-keys {keys}");
    }

    /// Escape, then a pause: a terminal tells a lone Esc from the start of an Alt- or arrow
    /// sequence only by the gap after it, so a key sent right behind it would merge with it.
    pub fn send_escape(&self) {
        self.send("Escape");
        std::thread::sleep(Duration::from_millis(200));
    }

    /// Wait until the screen satisfies `ok`, or fail with the last screen.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // A capture can land while a frame is being written: what it shows is taken again a
            // moment later, when the frame is whole, and must still hold.
            let screen = self.capture();
            if ok(&screen) {
                std::thread::sleep(Duration::from_millis(50));
                let settled = self.capture();
                if ok(&settled) {
                    return settled;
                }
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

#[test]
fn demo_opens_on_the_fleet_drills_in_comes_back_and_restores_the_terminal() {
    let bin = env!("CARGO_BIN_EXE_crossdeck");
    let log = std::env::temp_dir().join(format!("crossdeck-e2e-{}.log", std::process::id()));
    let cmd = format!(
        "'{bin}' demo --log-file '{}'; echo \"EXIT=$?\"; stty -a | grep -o -- '-\\?icanon'; sleep 60",
        log.display()
    );
    let tmux = Tmux::start(120, 40, &cmd);

    let fleet = |s: &str| {
        s.contains("fleet · 6 labs")
            && ["alice", "bob", "carol", "dave", "erin", "frank"]
                .iter()
                .all(|w| s.contains(w))
    };
    let screen = tmux.wait_for("the fleet, a row per participant", fleet);
    assert!(screen.contains("SIMULATED"), "demo badge:\n{screen}");
    assert!(
        !screen.contains("DataScience 2"),
        "the fleet, not a lab view, comes first:\n{screen}"
    );
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "the dashboard uses the alternate screen"
    );

    // Enter opens the selected (first) lab's view.
    tmux.send("Enter");
    let screen = tmux.wait_for("alice's lab view", |s| {
        [
            "Tools 1",
            "DataScience 2",
            "Stage 3",
            "Source",
            "DeployModel-Tools",
            "DeployModel-Stage",
        ]
        .iter()
        .all(|w| s.contains(w))
    });
    assert!(screen.contains("alice (1/6)"), "{screen}");
    tmux.send("?");
    tmux.wait_for("the help overlay", |s| s.contains("Keys in the Lab view"));
    tmux.send("q");
    tmux.wait_for("the help to close", |s| !s.contains("Keys in the Lab view"));
    // Esc goes back to the fleet; its help is the fleet's keys; q quits from there.
    tmux.send_escape();
    tmux.wait_for("the fleet again", |s| {
        fleet(s) && !s.contains("DataScience 2")
    });
    tmux.send("?");
    tmux.wait_for("the fleet's help", |s| s.contains("Keys in the Fleet view"));
    tmux.send("q");
    tmux.wait_for("the help to close", |s| {
        !s.contains("Keys in the Fleet view")
    });
    tmux.send("q");

    let after = tmux.wait_for("the process to exit", |s| s.contains("EXIT="));
    assert!(after.contains("EXIT=0"), "exit status 0:\n{after}");
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "alternate screen left"
    );
    assert_eq!(tmux.display("#{cursor_flag}"), "1", "cursor visible again");
    let after = tmux.wait_for("stty output", |s| s.contains("icanon"));
    assert!(
        after.lines().any(|l| l.trim() == "icanon"),
        "terminal back in canonical (cooked) mode:\n{after}"
    );
    assert!(
        !after.contains("DeployModel-Tools"),
        "no dashboard left on the screen:\n{after}"
    );
    let _ = std::fs::remove_file(log);
}

#[test]
fn the_launch_form_opens_in_the_demo_and_read_only_refuses_it() {
    let bin = env!("CARGO_BIN_EXE_crossdeck");
    let log = std::env::temp_dir().join(format!("crossdeck-e2e-launch-{}.log", std::process::id()));
    let run = |extra: &str| {
        format!(
            "'{bin}' {extra} demo --participants 1 --speed 400 --log-file '{}'; sleep 60",
            log.display()
        )
    };
    let tmux = Tmux::start(120, 40, &run(""));
    tmux.wait_for("the DataScience catalog", |s| {
        s.contains("✓ LabDSAccountSCSetup")
    });
    tmux.send("L");
    let form = tmux.wait_for("the launch form", |s| {
        s.contains("Launch the notebook product")
    });
    assert!(
        form.contains("SagemakerInstance") && form.contains("cost-center"),
        "{form}"
    );
    tmux.send("Escape");
    tmux.wait_for("the form to close", |s| {
        s.contains("cancelled: nothing was sent")
    });
    drop(tmux);

    let tmux = Tmux::start(120, 40, &run("--read-only"));
    tmux.wait_for("the dashboard", |s| s.contains("Tools 1"));
    tmux.send("L");
    let screen = tmux.wait_for("the refusal", |s| {
        s.contains("read-only: crossdeck makes no change")
    });
    assert!(!screen.contains("Launch the notebook product"), "{screen}");
    let _ = std::fs::remove_file(log);
}

#[test]
fn the_demo_shows_the_timeline_with_its_filter_and_the_copy_menu() {
    let bin = env!("CARGO_BIN_EXE_crossdeck");
    let log =
        std::env::temp_dir().join(format!("crossdeck-e2e-timeline-{}.log", std::process::id()));
    let tmux = Tmux::start(
        120,
        40,
        &format!(
            "'{bin}' demo --participants 1 --speed 400 --log-file '{}'; sleep 60",
            log.display()
        ),
    );
    tmux.wait_for("the Tools stack", |s| s.contains("LabSCToolsAccountSetup"));
    tmux.send("T");
    // A capture can land mid-frame: each wait names everything it needs to see.
    tmux.wait_for("the timeline", |s| {
        s.contains("Timeline · alice") && s.contains("Tools       ✓ stack")
    });
    tmux.send("/");
    tmux.send("stack");
    tmux.wait_for("the filter line and the count it keeps", |s| {
        s.contains("/ stack▏") && s.contains(" of ")
    });
    tmux.send_escape();
    tmux.wait_for("the filter to clear", |s| !s.contains("/ stack"));
    tmux.send("q");
    tmux.wait_for("the timeline to close", |s| !s.contains("Timeline · alice"));
    tmux.send("Y");
    tmux.wait_for("the copy menu with its first and last values", |s| {
        s.contains("Copy · Enter copies") && s.contains("stack name") && s.contains("console URL")
    });
    tmux.send_escape();
    tmux.wait_for("the menu to close", |s| !s.contains("Copy · Enter copies"));
    let _ = std::fs::remove_file(log);
}

#[test]
fn dollar_opens_the_cost_list_in_the_demo() {
    let bin = env!("CARGO_BIN_EXE_crossdeck");
    let log = std::env::temp_dir().join(format!("crossdeck-e2e-cost-{}.log", std::process::id()));
    let cmd = format!(
        "'{bin}' demo --participants 1 --speed 400 --log-file '{}'; sleep 60",
        log.display()
    );
    let tmux = Tmux::start(120, 40, &cmd);
    // Once something bills, the header shows the running total.
    tmux.wait_for("the header's running total", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("≈ $") && l.contains("so far"))
    });
    tmux.send("$");
    let list = tmux.wait_for("the cost list", |s| {
        s.contains("Costs · alice") && s.contains("Lab total ≈ $")
    });
    assert!(
        list.contains("DataScience 2") && list.contains("running") && list.contains("$/h"),
        "{list}"
    );
    assert!(
        list.contains("notebook") || list.contains("endpoint"),
        "{list}"
    );
    tmux.send("$");
    tmux.wait_for("the cost list to close", |s| !s.contains("Costs · alice"));
    tmux.send("q");
    let _ = std::fs::remove_file(log);
}
